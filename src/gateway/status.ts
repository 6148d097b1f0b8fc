/**
 * @module
 * Agent status as operators see it: the stored standing (`awaiting_setup`, `disabled`)
 * combined with the live connection (`active`, `no_response`). The admin API's views and
 * the metrics both merge with `agentStatus`.
 */
import type { LiveAgents } from "./admin/live-agents.ts";
import type { AgentRegistry } from "./registry.ts";
import type { AgentRecord, GatewayStore } from "./store/store.ts";

export type AgentStatus = "awaiting_setup" | "active" | "no_response" | "disabled";

export function agentStatus(agent: AgentRecord, live: Pick<LiveAgents, "status">): AgentStatus {
  if (agent.status === "awaiting_setup" || agent.status === "disabled") return agent.status;
  return live.status(agent.id)?.state ?? "no_response";
}
export type StatusCount = { group: string; status: AgentStatus; count: number };

/**
 * Counts agents by group and status. The store is read at most every `refreshMs` in the
 * background so a metrics scrape never waits on it; the first scrape after start may be empty.
 */
export class AgentStatusCounter {
  readonly #registry: AgentRegistry;
  readonly #store: GatewayStore;
  readonly #refreshMs: number;
  #counts: StatusCount[] = [];
  #at = 0;
  #refreshing = false;

  constructor(options: { registry: AgentRegistry; store: GatewayStore; refreshMs?: number }) {
    this.#registry = options.registry;
    this.#store = options.store;
    this.#refreshMs = options.refreshMs ?? 5000;
  }

  counts(): StatusCount[] {
    if (Date.now() - this.#at > this.#refreshMs && !this.#refreshing) {
      this.#refreshing = true;
      void this.#refresh()
        .catch(() => {}) // the next scrape tries again; the counts stay as they were
        .finally(() => (this.#refreshing = false));
    }
    return this.#counts;
  }

  async #refresh() {
    const [groups, agents] = await Promise.all([this.#store.listGroups(), this.#store.listAgents()]);
    const names = new Map(groups.map((group) => [group.id, group.name]));
    const counts = new Map<string, StatusCount>();
    for (const agent of agents) {
      const status = agentStatus(agent, this.#registry);
      const group = names.get(agent.groupId) ?? agent.groupId;
      const key = `${group}\u0000${status}`;
      const entry = counts.get(key) ?? { group, status, count: 0 };
      entry.count++;
      counts.set(key, entry);
    }
    this.#counts = [...counts.values()];
    this.#at = Date.now();
  }
}
