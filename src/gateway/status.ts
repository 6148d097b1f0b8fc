/**
 * @module
 * Agent and group status as operators see it. An agent's status is the stored standing
 * (`awaiting_setup`, `disabled`) combined with the live connection (`active`,
 * `no_response`); a group's follows from its enabled agents (`active` all of them,
 * `degraded` some, `inactive` none). The admin API's views, the alerts, the CLI and the
 * metrics all use these functions and lists, so every surface says the same.
 */
import type { LiveAgents } from "./admin/live-agents.ts";
import type { AgentRecord } from "./store/store.ts";

/** Every agent status, in the order they are listed (metrics export one series each, zeros included). */
export const AGENT_STATUSES = ["awaiting_setup", "active", "no_response", "disabled"] as const;
export type AgentStatus = (typeof AGENT_STATUSES)[number];

/** Every group status, best first. */
export const GROUP_STATUSES = ["active", "degraded", "inactive"] as const;
export type GroupStatus = (typeof GROUP_STATUSES)[number];

export function agentStatus(agent: AgentRecord, live: Pick<LiveAgents, "status">): AgentStatus {
  if (agent.status === "awaiting_setup" || agent.status === "disabled") return agent.status;
  return live.status(agent.id)?.state ?? "no_response";
}

/**
 * The group's status from its agents' statuses. Only enabled agents count: an agent an
 * operator disabled, or one still awaiting setup, is not missing. A group whose enabled
 * agents are all active is `active`; some active, `degraded` (it serves, without the
 * redundancy it was given); none, `inactive` (its requests fail), which is also the
 * status of a group with no enabled agent at all.
 */
export function groupStatus(statuses: readonly AgentStatus[]): GroupStatus {
  const enabled = statuses.filter((status) => status === "active" || status === "no_response");
  const active = enabled.filter((status) => status === "active").length;
  if (active === 0) return "inactive";
  return active === enabled.length ? "active" : "degraded";
}

/**
 * Who is connected, as the running gateway last wrote it to the store (setting
 * `PRESENCE_SETTING`), for readers of the store that cannot ask the live registry: the
 * CLI's local mode. Written every 30 s, and within half a second of a connect or a disconnect.
 */
export interface StoredPresence {
  /** Epoch ms of the write. */
  at: number;
  /** Ids of the agents connected then. */
  connected: string[];
}

export const PRESENCE_SETTING = "agents.presence";

/** A presence older than this (2½ missed refreshes) means the gateway has stopped: nobody counts as connected. */
export const PRESENCE_STALE_MS = 75_000;

/** An agent's status from the store alone (the CLI's local mode): exact to half a second while the gateway runs. */
export function storedAgentStatus(agent: AgentRecord, presence: StoredPresence | undefined, now: number = Date.now()): AgentStatus {
  if (agent.status !== "enabled") return agent.status;
  const fresh = presence !== undefined && now - presence.at <= PRESENCE_STALE_MS;
  return fresh && presence.connected.includes(agent.id) ? "active" : "no_response";
}
