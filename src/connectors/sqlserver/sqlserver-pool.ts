/**
 * @module
 * A small pool of tedious connections for one profile. tedious has no pool of its own: a
 * `Connection` runs one request at a time. Connections open on demand up to `pool.size`
 * (default `10`), idle ones close after `pool.idle_timeout` seconds (default `300`), and a
 * connection whose socket ended (server restart, network cut) is dropped the moment it
 * ends, so the next call simply opens a new one: the pool heals without being recreated.
 *
 * Every released connection is reset before anyone gets it again: tedious's `reset` sends
 * its session setup batch with TDS's RESETCONNECTION bit, so the server first runs
 * sp_reset_connection (temp tables dropped, SET options back to the login's, an open
 * transaction rolled back, session app locks released, cursors closed). The caller does not
 * wait for it: the connection stays busy — counted against `pool.size` — until the reset
 * answers, and a connection whose reset fails or goes unanswered for `connect_timeout` is
 * closed, never pooled.
 * tedious itself is imported here, lazily, after the TLS fix is in place.
 */
import type { Connection, ConnectionConfiguration } from "tedious";
import type { DatabaseProfile } from "../../config/types.ts";
import { installIpServerNameFix, sqlServerTls } from "./sqlserver-tls.ts";

export type Tedious = typeof import("tedious");

let loading: Promise<Tedious> | undefined;

/** Loads tedious once (~90 ms), with `tls.connect` already wrapped. */
export function loadTedious(): Promise<Tedious> {
  installIpServerNameFix();
  loading ??= import("tedious");
  return loading;
}

interface Slot {
  connection: Connection;
  dead: boolean;
  idleSince: number;
}

export class SqlServerPool {
  readonly #profile: DatabaseProfile;
  readonly #size: number;
  readonly #idleMs: number;
  /** How long a reset may go unanswered before its connection is given up: as long as connecting may take. */
  readonly #resetMs: number;
  readonly #idle: Slot[] = [];
  readonly #busy = new Map<Connection, Slot>();
  readonly #waiting: ((slot: Slot | Error) => void)[] = [];
  #opening = 0;
  #closed = false;
  #reaper: ReturnType<typeof setInterval> | undefined;

  constructor(profile: DatabaseProfile) {
    this.#profile = profile;
    this.#size = Math.max(1, profile.pool?.size ?? 10);
    this.#idleMs = (profile.pool?.idle_timeout ?? 300) * 1000;
    this.#resetMs = (profile.connect_timeout ?? 10) * 1000;
  }

  /** A live connection of its own until `release`; opens one when none is idle and the pool has room, else waits. */
  async acquire(): Promise<Connection> {
    if (this.#closed) throw new Error("the pool is closed");
    let slot: Slot | undefined;
    while ((slot = this.#idle.pop()) && slot.dead);
    if (!slot && this.#busy.size + this.#opening < this.#size) slot = await this.#open();
    if (!slot) {
      const handed = await new Promise<Slot | Error>((resolve) => this.#waiting.push(resolve));
      if (handed instanceof Error) throw handed;
      slot = handed;
    }
    this.#busy.set(slot.connection, slot);
    return slot.connection;
  }

  /**
   * Returns a connection at once; it is reset in the background and pooled once the reset
   * answers. `reuse: false` (after a failure that may have left it mid-request) closes it.
   */
  release(connection: Connection, reuse = true): void {
    const slot = this.#busy.get(connection);
    if (!slot) return;
    if (!reuse || slot.dead || this.#closed) return this.#discard(slot);
    const timer = setTimeout(() => this.#discard(slot), this.#resetMs);
    connection.reset((error) => {
      clearTimeout(timer);
      if (error || slot.dead || this.#closed) return this.#discard(slot);
      this.#busy.delete(connection);
      const waiter = this.#waiting.shift();
      if (waiter) return waiter(slot);
      slot.idleSince = Date.now();
      this.#idle.push(slot);
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#reaper);
    for (const waiter of this.#waiting.splice(0)) waiter(new Error("the pool is closed"));
    for (const slot of [...this.#idle.splice(0), ...this.#busy.values()]) slot.connection.close();
    this.#busy.clear();
  }

  /** Closes a busy connection; a waiter gets a fresh one instead. Runs once per slot. */
  #discard(slot: Slot): void {
    if (!this.#busy.delete(slot.connection)) return;
    slot.dead = true;
    slot.connection.close();
    this.#wakeWaiter();
  }

  /** A waiter whose connection was discarded gets a fresh one instead. */
  #wakeWaiter(): void {
    const waiter = this.#waiting.shift();
    if (!waiter) return;
    this.#open().then(waiter, (error: Error) => waiter(error));
  }

  async #open(): Promise<Slot> {
    this.#opening++;
    try {
      const tedious = await loadTedious();
      const connection = new tedious.Connection(this.#config());
      const slot: Slot = { connection, dead: false, idleSince: Date.now() };
      // tedious emits 'error' for socket failures outside a request; without a listener it would throw.
      connection.on("error", () => (slot.dead = true));
      connection.on("end", () => (slot.dead = true));
      await new Promise<void>((resolve, reject) => {
        connection.once("connect", (error) => (error ? reject(error) : resolve()));
        connection.connect();
      });
      this.#startReaper();
      return slot;
    } finally {
      this.#opening--;
    }
  }

  #startReaper(): void {
    if (this.#reaper) return;
    this.#reaper = setInterval(() => {
      const now = Date.now();
      for (let i = this.#idle.length - 1; i >= 0; i--) {
        const slot = this.#idle[i]!;
        if (!slot.dead && now - slot.idleSince < this.#idleMs) continue;
        this.#idle.splice(i, 1);
        slot.connection.close();
      }
    }, Math.max(1000, Math.min(this.#idleMs, 30_000)));
    this.#reaper.unref?.();
  }

  #config(): ConnectionConfiguration {
    const profile = this.#profile;
    return {
      server: profile.host ?? "localhost",
      authentication: { type: "default", options: { userName: profile.username, password: profile.password } },
      options: {
        port: profile.port ?? 1433,
        database: profile.database,
        ...sqlServerTls(profile),
        connectTimeout: (profile.connect_timeout ?? 10) * 1000,
        // Deadlines and cancels are ours (ctx.signal → ATTENTION); tedious must not race them.
        requestTimeout: 0,
        cancelTimeout: 5000,
        useUTC: true,
        useColumnNames: false,
        rowCollectionOnDone: false,
        rowCollectionOnRequestCompletion: false,
        readOnlyIntent: profile.readonly === true,
        appName: "outpost",
        ...(profile.options as ConnectionConfiguration["options"]),
      },
    };
  }
}
