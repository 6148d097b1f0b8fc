/**
 * @module
 * Keeps each agent's `lastSeenAt` current while it is connected, without a store write per
 * request. Every `intervalMs` (30 s by default) the connected agents' in-memory
 * `lastSeenAt` moves to now (an open session is proof of life: the tunnel's keepalive
 * closes one whose pings go unanswered within 5 s), and each is written to the store once.
 * When a connection ends, its agent's `lastSeenAt` is written at once, so the store
 * also says when an agent left, to the millisecond, across a gateway restart.
 * The admin API reads the in-memory value of connected agents, the CLI the stored one.
 */
import type { Logger } from "../log/logger.ts";
import type { AgentRegistry } from "./registry.ts";
import type { GatewayStore } from "./store/store.ts";

export interface LastSeenOptions {
  registry: AgentRegistry;
  store: GatewayStore;
  log: Logger;
  /** How often connected agents' `lastSeenAt` is refreshed and written. Defaults to 30,000 ms. */
  intervalMs?: number;
  /** Injected for tests. Defaults to `Date.now`. */
  now?: () => number;
}

export const LAST_SEEN_INTERVAL_MS = 30_000;

export class LastSeenRecorder {
  readonly #registry: AgentRegistry;
  readonly #store: GatewayStore;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #timer: ReturnType<typeof setInterval>;
  readonly #unsubscribe: () => void;
  /** One pass at a time: a slow store must not pile up writes. */
  #writing = false;

  constructor(options: LastSeenOptions) {
    this.#registry = options.registry;
    this.#store = options.store;
    this.#log = options.log;
    this.#now = options.now ?? Date.now;
    this.#timer = setInterval(() => void this.refresh(), options.intervalMs ?? LAST_SEEN_INTERVAL_MS);
    this.#unsubscribe = this.#registry.subscribe((event) => {
      if (event.type === "disconnected") void this.#write([event.agent.agentId]);
    });
  }

  /** Moves every connected agent's `lastSeenAt` to now and writes it (the timer calls this). */
  async refresh(): Promise<void> {
    if (this.#writing) return;
    this.#writing = true;
    try {
      const now = this.#now();
      const alive = this.#registry.all().filter((agent) => !agent.session.closed);
      for (const agent of alive) agent.lastSeenAt = now;
      await this.#write(alive.map((agent) => agent.agentId));
    } finally {
      this.#writing = false;
    }
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#unsubscribe();
  }

  async #write(agentIds: string[]) {
    for (const agentId of agentIds) {
      try {
        await this.#store.recordAgentSeen(agentId);
      } catch (error) {
        // Removed meanwhile (NOT_FOUND), or the store hiccuped: the next pass writes again.
        if ((error as { code?: string }).code !== "NOT_FOUND") this.#log.warn("could not record when an agent was last seen", { agentId, error });
      }
    }
  }
}
