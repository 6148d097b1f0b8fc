/**
 * @module
 * The JSON shapes the admin API answers with (the CLI's `--json` prints the same). Times
 * are ISO 8601 strings; an agent's `status` merges the store with the live registry:
 * `awaiting_setup | active | no_response | disabled`; a group's is `active | degraded |
 * inactive` (`status.ts`).
 */
import type { AgentRecord, ApiTokenRecord, GroupRecord } from "../store/store.ts";
import type { LiveAgents } from "./live-agents.ts";
import { redactWebhook } from "../alerts/alert-format.ts";
import { agentStatus, groupStatus } from "../status.ts";

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

export function agentView(agent: AgentRecord, groupName: string, live: LiveAgents) {
  const now = agent.status === "enabled" ? live.status(agent.id) : undefined;
  return {
    id: agent.id,
    group: groupName,
    name: agent.name,
    status: agentStatus(agent, live),
    publicKey: agent.publicKey,
    keyRotationPending: agent.previousPublicKey !== null,
    createdAt: iso(agent.createdAt),
    activatedAt: iso(agent.activatedAt),
    /** While connected, refreshed every 30 s (by default); after, when the last connection was last known alive. */
    lastSeenAt: iso(now ? (now.lastSeenAt ?? now.connectedSince) : agent.lastSeenAt),
    /** When the last connection ended (`null` while connected or never seen): this gateway's record, else the stored last-seen time. */
    disconnectedAt: now ? null : iso(live.disconnectedAt?.(agent.id) ?? agent.lastSeenAt),
    connection: now ? { remoteIp: now.remoteIp, connectedSince: iso(now.connectedSince), inFlight: now.inFlight } : null,
    info: withProfileHealth(now?.info ?? agent.info, now !== undefined),
  };
}

/**
 * Every profile entry gets a `health`: what a connected agent last reported, else `unknown`
 * (an agent that predates the field, or one not connected now: its old report may be stale).
 */
function withProfileHealth<T extends { profiles?: object[] } | null>(info: T, live: boolean): T {
  if (!info?.profiles) return info;
  const profiles = info.profiles.map((profile) => {
    const reported = live ? (profile as { health?: unknown }).health : undefined;
    return { ...profile, health: reported ?? { status: "unknown" } };
  });
  return { ...info, profiles };
}

export type AgentView = ReturnType<typeof agentView>;

/**
 * A group is `active` when all its enabled agents are, `degraded` when only some are,
 * `inactive` when none is (`groupStatus`). Webhook URLs often carry their
 * secret in the path (Slack's do), so only admin tokens see them whole.
 */
export function groupView(group: GroupRecord, agents: AgentRecord[], live: LiveAgents, options: { admin: boolean } = { admin: true }) {
  const statuses = agents.map((agent) => agentStatus(agent, live));
  const drift = live.drift?.(group.id) ?? { settings: {}, onlyOn: {} };
  return {
    id: group.id,
    name: group.name,
    status: groupStatus(statuses),
    createdAt: iso(group.createdAt),
    settings: options.admin
      ? group.settings
      : { ...group.settings, alertWebhooks: group.settings.alertWebhooks?.map(redactWebhook) },
    agentCount: agents.length,
    /** Agents that should be connected: the enabled ones, active or not. */
    enabledAgents: statuses.filter((status) => status === "active" || status === "no_response").length,
    activeAgents: statuses.filter((status) => status === "active").length,
    /** Profiles whose configuration differs between connected agents: name → the distinct hashes. */
    drift: drift.settings,
    /** Profiles only some connected agents offer (no failover for them): name → the agents that do. */
    onlyOn: drift.onlyOn,
  };
}

export function tokenView(token: ApiTokenRecord) {
  return {
    id: token.id,
    name: token.name,
    admin: token.admin,
    groups: token.groups,
    createdAt: iso(token.createdAt),
    lastUsedAt: iso(token.lastUsedAt),
    revokedAt: iso(token.revokedAt),
  };
}

export { iso };
