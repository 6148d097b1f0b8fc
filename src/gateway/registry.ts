/**
 * @module
 * The live agents: one entry per connected, authenticated agent session. The registry
 * answers "who is connected, in which group, how busy" for the router and the admin API
 * (`LiveAgents`), and drops sessions when an agent is disabled or removed. It holds no
 * policy: which agent serves a request is decided in `router.ts`.
 */
import type { AgentInfo } from "../protocol/index.ts";
import type { Session } from "../tunnel/session.ts";
import type { LiveAgents, LiveAgentStatus } from "./admin/live-agents.ts";

export interface LiveAgent {
  readonly agentId: string;
  readonly agentName: string;
  readonly groupId: string;
  readonly session: Session;
  /** The id the handshake gave this session; a new connection that names it replaces it without a gap. */
  readonly sessionId: string;
  readonly remoteIp: string;
  readonly connectedSince: number;
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

  /** Adds a session; an older session of the same agent is returned so the caller can close it. */
  add(agent: LiveAgent): LiveAgent | undefined {
    const previous = this.#agents.get(agent.agentId);
    this.#agents.set(agent.agentId, agent);
    this.#emit({ type: "connected", agent });
    return previous;
  }

  /** Removes the agent only if `session` is still its current one (a newer session may have replaced it). */
  remove(agentId: string, session: Session): void {
    const current = this.#agents.get(agentId);
    if (!current || current.session !== session) return;
    this.#agents.delete(agentId);
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
      inFlight: agent.inFlight,
      info: agent.info,
    };
  }

  /** Profile name → the distinct hashes connected agents of the group report, for profiles where they differ. */
  drift(groupId: string): Record<string, string[]> {
    const hashes = new Map<string, Set<string>>();
    for (const agent of this.inGroup(groupId)) {
      for (const profile of agent.info.profiles) {
        const set = hashes.get(profile.name) ?? new Set<string>();
        set.add(profile.hash);
        hashes.set(profile.name, set);
      }
    }
    const drifted: Record<string, string[]> = {};
    for (const [name, set] of hashes) if (set.size > 1) drifted[name] = [...set].sort();
    return drifted;
  }

  subscribe(listener: (event: RegistryEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #emit(event: RegistryEvent) {
    for (const listener of this.#listeners) listener(event);
  }
}
