/**
 * @module
 * How the CLI shows agents. The CLI reads the store only, so an agent's status here is
 * the stored one (`awaiting_setup | enabled | disabled`) with its last-seen time; the
 * live `active | no_response` states are in the gateway's admin API.
 */
import type { AgentRecord } from "../../gateway/store/store.ts";
import { formatTable } from "./gateway-shared.ts";

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

export function cliAgentView(agent: AgentRecord, groupName: string) {
  return {
    id: agent.id,
    group: groupName,
    name: agent.name,
    status: agent.status,
    publicKey: agent.publicKey,
    keyRotationPending: agent.previousPublicKey !== null,
    createdAt: iso(agent.createdAt),
    activatedAt: iso(agent.activatedAt),
    lastSeenAt: iso(agent.lastSeenAt),
    info: agent.info,
  };
}

export function agentRows(agents: AgentRecord[]): string {
  return formatTable(
    ["NAME", "STATUS", "LAST SEEN", "VERSION", "HOST", "ID"],
    agents.map((a) => [a.name, a.status, iso(a.lastSeenAt), a.info?.version, a.info?.hostname, a.id]),
  );
}
