/**
 * @module
 * The drift alert's words: profiles whose settings differ between a group's agents, and
 * profiles only some of its agents offer (a request for one fails over to nobody when
 * those agents go). `undefined` when the group has neither.
 */
import type { GroupDrift } from "../admin/live-agents.ts";
import type { LiveAgent } from "../registry.ts";
import type { Alert } from "./alert-types.ts";

export function driftAlert(drift: GroupDrift, agents: readonly LiveAgent[]): Omit<Alert, "group" | "at"> | undefined {
  const differ = Object.keys(drift.settings);
  const partial = Object.entries(drift.onlyOn);
  if (differ.length === 0 && partial.length === 0) return undefined;
  const parts = [
    differ.length > 0 ? `report different settings for profile(s) ${differ.join(", ")}` : undefined,
    partial.length > 0 ? `do not all offer profile(s) ${partial.map(([name, on]) => `${name} (only on ${on.join(", ")})`).join(", ")}` : undefined,
  ];
  return {
    event: "drift_detected",
    summary: `agents of group "{group}" ${parts.filter(Boolean).join(" and ")}`,
    agents: agents.map((agent) => ({ name: agent.agentName, version: agent.info.version })),
    details: { profiles: drift.settings, onlyOn: drift.onlyOn },
  };
}
