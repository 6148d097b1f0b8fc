/**
 * @module
 * Agent status as operators see it: the stored standing (`awaiting_setup`, `disabled`)
 * combined with the live connection (`active`, `no_response`). The admin API's views and
 * the metrics (metrics-inventory.ts) both merge with `agentStatus`.
 */
import type { LiveAgents } from "./admin/live-agents.ts";
import type { AgentRecord } from "./store/store.ts";

/** Every agent status; metrics enumerate this list so each group × status series exists, at zero too. */
export const AGENT_STATUSES = ["awaiting_setup", "active", "no_response", "disabled"] as const;
export type AgentStatus = (typeof AGENT_STATUSES)[number];

/** Every group status; metrics enumerate this list (one series per status, 1 for the current one). */
export const GROUP_STATUSES = ["active", "degraded", "inactive"] as const;
export type GroupStatus = (typeof GROUP_STATUSES)[number];

/**
 * `active` when every enabled agent is active, `degraded` when only some are (the group
 * still answers, without its redundancy), `inactive` when none is.
 */
export function groupStatus(statuses: readonly AgentStatus[]): GroupStatus {
  const enabled = statuses.filter((status) => status === "active" || status === "no_response");
  const active = enabled.filter((status) => status === "active").length;
  if (active === 0) return "inactive";
  return active === enabled.length ? "active" : "degraded";
}

export function agentStatus(agent: AgentRecord, live: Pick<LiveAgents, "status">): AgentStatus {
  if (agent.status === "awaiting_setup" || agent.status === "disabled") return agent.status;
  return live.status(agent.id)?.state ?? "no_response";
}
