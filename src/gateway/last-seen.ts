/**
 * @module
 * Keeps each agent's `lastSeenAt` current while it is connected, without a store write per
 * request. Every `intervalMs` (30 s by default) the connected agents' in-memory
 * `lastSeenAt` moves to now (an open session is proof of life: the tunnel's keepalive
 * closes one whose pings go unanswered within 5 s), and each is written to the store once.
 * When a connection ends, its agent's `lastSeenAt` is written at once, so the store
 * also says when an agent left, to the millisecond, across a gateway restart.
 * The admin API reads the in-memory value of connected agents, the CLI the stored one.
 *
 * With each pass, and half a second after connections come or go, it also writes who is
 * connected (`StoredPresence`, one store setting), so the CLI reading the store can tell
 * `active` from `no_response` too.
 */
import type { Logger } from "../log/logger.ts";
import type { AgentRegistry } from "./registry.ts";
import { PRESENCE_SETTING, type StoredPresence } from "./status.ts";
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
  /** Connections came or went: presence is written once this fires (many reconnects, one write). */
  #presenceTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(options: LastSeenOptions) {
    this.#registry = options.registry;
    this.#store = options.store;
    this.#log = options.log;
    this.#now = options.now ?? Date.now;
    this.#timer = setInterval(() => void this.refresh(), options.intervalMs ?? LAST_SEEN_INTERVAL_MS);
    this.#unsubscribe = this.#registry.subscribe((event) => {
      if (event.type === "disconnected") void this.#write([event.agent.agentId]);
      if (event.type !== "changed") this.#presenceTimer ??= setTimeout(() => void this.#writePresence(), 500);
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
      await this.#writePresence();
    } finally {
      this.#writing = false;
    }
  }

  /** Stops refreshing and records that nobody is connected any more (the gateway is stopping). */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#unsubscribe();
    await this.#writePresence(true);
  }

  async #writePresence(stopping = false) {
    clearTimeout(this.#presenceTimer);
    this.#presenceTimer = undefined;
    const connected = stopping ? [] : this.#registry.all().filter((agent) => !agent.session.closed).map((agent) => agent.agentId);
    const presence: StoredPresence = { at: this.#now(), connected };
    await this.#store.setSetting(PRESENCE_SETTING, presence).catch((error) => this.#log.warn("could not record which agents are connected", { error }));
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
