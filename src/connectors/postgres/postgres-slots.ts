/**
 * @module
 * The profile's connections, each a postgres.js client of its own with `max: 1`, handed
 * to one call at a time. We keep the pool ourselves rather than use postgres.js's
 * `reserve()`: that never settles on a connection it has to open first when
 * `fetch_types` is off (porsager/postgres#751, still open in 3.4.9), and it has no way
 * to drop one connection. A one-connection client runs what it is given in order, on one
 * backend, reconnecting by itself when that breaks; ending it closes the socket from our
 * side, and a fresh client takes its place.
 */
import type { PostgresPool } from "./postgres-pool.ts";

export class ConnectionSlots {
  readonly #open: () => PostgresPool;
  readonly #free: PostgresPool[] = [];
  readonly #waiting: ((client: PostgresPool) => void)[] = [];
  readonly #all = new Set<PostgresPool>();
  readonly #size: number;

  /** `open` creates a one-connection client; it connects on its first statement. */
  constructor(size: number, open: () => PostgresPool) {
    this.#size = size;
    this.#open = open;
  }

  /** A client for one caller alone, waiting (in arrival order) while all are in use. */
  acquire(): Promise<PostgresPool> {
    const free = this.#free.pop();
    if (free) return Promise.resolve(free);
    if (this.#all.size < this.#size) {
      const client = this.#open();
      this.#all.add(client);
      return Promise.resolve(client);
    }
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  /** Hands a client back, clean: the caller has reset its session. */
  release(client: PostgresPool): void {
    const next = this.#waiting.shift();
    if (next) next(client);
    else this.#free.push(client);
  }

  /** Closes a client whose session state is unknown; the next caller gets a fresh connection. */
  async destroy(client: PostgresPool): Promise<void> {
    this.#all.delete(client);
    const next = this.#waiting.shift();
    if (next) {
      const fresh = this.#open();
      this.#all.add(fresh);
      next(fresh);
    }
    await client.end({ timeout: 0 }).catch(() => {});
  }

  async close(): Promise<void> {
    await Promise.all([...this.#all].map((client) => client.end({ timeout: 5 })));
  }
}
