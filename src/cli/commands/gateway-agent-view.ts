/**
 * @module
 * How the CLI shows agents. The CLI reads the store only, so an agent's status here is
 * the stored one (`awaiting_setup | enabled | disabled`) with its last-seen time (kept
 * current by the running gateway every 30 s). A group's health (`active | degraded |
 * inactive`) comes from the presence the gateway writes (`StoredPresence`).
 */
import { groupStatus, PRESENCE_SETTING, storedAgentStatus, type StoredPresence } from "../../gateway/status.ts";
import type { AgentRecord, GatewayStore } from "../../gateway/store/store.ts";
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

/** Who the running gateway last said is connected; `undefined` before any gateway wrote it. */
export async function readPresence(store: GatewayStore): Promise<StoredPresence | undefined> {
  return (await store.getSetting(PRESENCE_SETTING)) as StoredPresence | undefined;
}

/** A group's health from the store, as the admin API's group view says it. */
export function storedGroupHealth(agents: AgentRecord[], presence: StoredPresence | undefined) {
  const statuses = agents.map((agent) => storedAgentStatus(agent, presence));
  return {
    status: groupStatus(statuses),
    enabledAgents: statuses.filter((status) => status === "active" || status === "no_response").length,
    activeAgents: statuses.filter((status) => status === "active").length,
  };
}
