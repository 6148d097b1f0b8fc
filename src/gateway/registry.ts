/**
 * @module
 * The live agents: one entry per connected, authenticated agent session. The registry
 * answers "who is connected, in which group, how busy" for the router and the admin API
 * (`LiveAgents`), and drops sessions when an agent is disabled or removed. It holds no
 * policy: which agent serves a request is decided in `router.ts`.
 */
import type { AgentInfo } from "../protocol/index.ts";
import type { Session } from "../tunnel/session.ts";
import type { GroupDrift, LiveAgents, LiveAgentStatus } from "./admin/live-agents.ts";

export interface LiveAgent {
  readonly agentId: string;
  readonly agentName: string;
  readonly groupId: string;
  readonly session: Session;
  /** The id the handshake gave this session; a new connection that names it replaces it without a gap. */
  readonly sessionId: string;
  readonly remoteIp: string;
  readonly connectedSince: number;
  /** Epoch ms the connection was last known alive; moved by `LastSeenRecorder`, starts at `connectedSince`. */
  lastSeenAt?: number;
  readonly info: AgentInfo;
  /** The key this session proved; dropped when the store no longer accepts it (rotation done elsewhere, re-activation). */
  readonly publicKey: string;
  /** Requests opened on this agent and not yet finished. */
  inFlight: number;
  /** Disabled agents stay connected but take no new requests; in-flight ones finish. */
  enabled: boolean;
  /** Set while a rollout upgrades this agent: no new requests, whatever the store says. */
  draining?: boolean;
}

export type RegistryEvent = { type: "connected" | "disconnected" | "changed"; agent: LiveAgent };

export class AgentRegistry implements LiveAgents {
  readonly #agents = new Map<string, LiveAgent>();
  readonly #listeners = new Set<(event: RegistryEvent) => void>();
  /** agentId → when its last connection ended; one entry per agent at most, dropped when it connects. */
  readonly #disconnectedAt = new Map<string, number>();
  readonly #now: () => number;

  /** `now` is injected for tests. Defaults to `Date.now`. */
  constructor(options: { now?: () => number } = {}) {
    this.#now = options.now ?? Date.now;
  }

  /** Adds a session; an older session of the same agent is returned so the caller can close it. */
  add(agent: LiveAgent): LiveAgent | undefined {
    const previous = this.#agents.get(agent.agentId);
    this.#agents.set(agent.agentId, agent);
    this.#disconnectedAt.delete(agent.agentId);
    this.#emit({ type: "connected", agent });
    return previous;
  }

  /** Removes the agent only if `session` is still its current one (a newer session may have replaced it). */
  remove(agentId: string, session: Session): void {
    const current = this.#agents.get(agentId);
    if (!current || current.session !== session) return;
    this.#agents.delete(agentId);
    this.#disconnectedAt.set(agentId, this.#now());
    this.#emit({ type: "disconnected", agent: current });
  }

  get(agentId: string): LiveAgent | undefined {
    return this.#agents.get(agentId);
  }

  inGroup(groupId: string): LiveAgent[] {
    return [...this.#agents.values()].filter((agent) => agent.groupId === groupId);
  }

  all(): LiveAgent[] {
    return [...this.#agents.values()];
  }

  setEnabled(agentId: string, enabled: boolean): void {
    const agent = this.#agents.get(agentId);
    if (!agent || agent.enabled === enabled) return;
    agent.enabled = enabled;
    this.#emit({ type: "changed", agent });
  }

  status(agentId: string): LiveAgentStatus | undefined {
    const agent = this.#agents.get(agentId);
    if (!agent) return undefined;
    return {
      state: agent.session.closed ? "no_response" : "active",
      remoteIp: agent.remoteIp,
      connectedSince: agent.connectedSince,
      lastSeenAt: agent.lastSeenAt ?? agent.connectedSince,
      inFlight: agent.inFlight,
      info: agent.info,
    };
  }

  disconnectedAt(agentId: string): number | undefined {
    return this.#disconnectedAt.get(agentId);
  }

  /**
   * How the group's connected agents disagree: a profile whose settings hash differs, and
   * a profile that only some of them offer (requests for it fail when those agents go).
   * Only enabled agents count for the second: a disabled one is on its way out.
   */
  drift(groupId: string): GroupDrift {
    const agents = this.inGroup(groupId);
    const hashes = new Map<string, Set<string>>();
    const offeredBy = new Map<string, string[]>();
    const serving = agents.filter((agent) => agent.enabled && !agent.session.closed);
    for (const agent of agents) {
      for (const profile of agent.info.profiles) {
        const set = hashes.get(profile.name) ?? new Set<string>();
        set.add(profile.hash);
        hashes.set(profile.name, set);
      }
    }
    for (const agent of serving) {
      for (const name of new Set(agent.info.profiles.map((profile) => profile.name))) offeredBy.set(name, [...(offeredBy.get(name) ?? []), agent.agentName]);
    }
    const settings: Record<string, string[]> = {};
    for (const [name, set] of [...hashes].sort(([a], [b]) => a.localeCompare(b))) if (set.size > 1) settings[name] = [...set].sort();
    const onlyOn: Record<string, string[]> = {};
    for (const [name, names] of [...offeredBy].sort(([a], [b]) => a.localeCompare(b))) if (names.length < serving.length) onlyOn[name] = names.sort();
    return { settings, onlyOn };
  }

  subscribe(listener: (event: RegistryEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #emit(event: RegistryEvent) {
    for (const listener of this.#listeners) listener(event);
  }
}
