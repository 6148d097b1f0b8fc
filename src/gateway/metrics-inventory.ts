/**
 * @module
 * What the metrics enumerate: every group and agent the store knows, with each agent's
 * status merged from the live registry at scrape time. The store is re-read only when it
 * changed (and every `refreshMs` in the background), so most scrapes read no store at
 * all, and the first scrape already has every series.
 * Only agents and groups named here get per-agent and per-group series: that is what
 * bounds the label sets (a removed agent's series go at the next refresh). Profile health
 * comes from the live session's hello only, so a profile is named only while a connected
 * agent reports it (at most what one hello frame can carry).
 */
import type { ProfileSummary } from "../protocol/index.ts";
import type { AgentRegistry } from "./registry.ts";
import { agentStatus, groupStatus, type AgentStatus, type GroupStatus } from "./status.ts";
import type { AgentRecord, GatewayStore, GroupRecord } from "./store/store.ts";

export interface InventoryAgent {
  id: string;
  name: string;
  status: AgentStatus;
  /** Streams open on its live session, 0 when not connected. */
  inFlight: number;
  /** What the connected agent last reported per profile; empty when not connected. Profiles it has not checked yet are left out. */
  profiles: { name: string; ok: boolean }[];
}

export interface InventoryGroup {
  id: string;
  name: string;
  status: GroupStatus;
  agents: InventoryAgent[];
}

export class MetricsInventory {
  readonly #registry: AgentRegistry;
  readonly #store: GatewayStore;
  readonly #refreshMs: number;
  #copy?: { groups: GroupRecord[]; agents: AgentRecord[] };
  #at = 0;
  #version = -1;
  #refreshing?: Promise<void>;

  /** `refreshMs` defaults to 5000. */
  constructor(options: { registry: AgentRegistry; store: GatewayStore; refreshMs?: number }) {
    this.#registry = options.registry;
    this.#store = options.store;
    this.#refreshMs = options.refreshMs ?? 5000;
  }

  /**
   * Every group with its agents. Waits for the store only when it has changed since the
   * last copy (`changeVersion`, a cheap synchronous check) or there is no copy yet, so a
   * group or agent added a moment ago is already there; otherwise re-reads in the
   * background every `refreshMs` as a safety net.
   */
  async groups(): Promise<InventoryGroup[]> {
    if (!this.#copy || this.#store.changeVersion() !== this.#version) await this.#refresh();
    else if (Date.now() - this.#at > this.#refreshMs) this.#refresh().catch(() => {}); // the last copy stays; the next scrape tries again
    return this.#view();
  }

  #refresh(): Promise<void> {
    this.#refreshing ??= (async () => {
      const version = this.#store.changeVersion();
      const [groups, agents] = await Promise.all([this.#store.listGroups(), this.#store.listAgents()]);
      this.#copy = { groups, agents };
      this.#version = version;
      this.#at = Date.now();
    })().finally(() => (this.#refreshing = undefined));
    return this.#refreshing;
  }

  #view(): InventoryGroup[] {
    const { groups, agents } = this.#copy ?? { groups: [], agents: [] };
    const byGroup = new Map<string, InventoryAgent[]>(groups.map((group) => [group.id, []]));
    for (const agent of agents) {
      const live = this.#registry.get(agent.id);
      byGroup.get(agent.groupId)?.push({
        id: agent.id,
        name: agent.name,
        status: agentStatus(agent, this.#registry),
        inFlight: live?.inFlight ?? 0,
        profiles: reportedHealth(live?.info.profiles ?? []),
      });
    }
    return groups.map((group) => {
      const members = byGroup.get(group.id)!;
      return { id: group.id, name: group.name, status: groupStatus(members.map((agent) => agent.status)), agents: members };
    });
  }
}

/** The profiles whose health the agent reported, once each (the first entry of a repeated name wins). */
function reportedHealth(profiles: readonly ProfileSummary[]): InventoryAgent["profiles"] {
  const seen = new Map<string, boolean>();
  for (const profile of profiles) {
    if (profile.health && !seen.has(profile.name)) seen.set(profile.name, profile.health.status === "ok");
  }
  return [...seen].map(([name, ok]) => ({ name, ok }));
}
