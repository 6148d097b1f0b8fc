/**
 * @module
 * The PostgreSQL store's `changeVersion()`: a counter its own writes bump at once and a
 * dedicated LISTEN connection bumps on every NOTIFY of `outpost_changes` (the schema's
 * triggers send one from each write's transaction, whichever node or process made it;
 * its own writes it skips, having counted them when they ran).
 *
 * While that connection is down the store cannot hear other writers, so the counter moves
 * on every read of it: the read caches hold nothing and every request reads the store
 * (slower, never stale). It reconnects with a jittered backoff (0.1 s doubling to 5 s);
 * once LISTEN is back, one more bump covers whatever changed in the gap.
 */
import type { Sql } from "postgres";
import { CHANGES_CHANNEL } from "./postgres-schema.ts";

export interface ChangeListenerOptions {
  /** Opens a one-connection client that calls these on NOTIFY and on connection close. */
  connect(handlers: { onnotify: (channel: string, payload: string) => void; onclose: () => void }): Sql<any>;
  /** The payload of this store's own writes (its pool's `application_name`): counted already, so skipped. */
  ownPayload: string;
  /** Told when LISTEN drops or comes back (no secrets in it). */
  onstate?: (listening: boolean, error?: unknown) => void;
}

export class ChangeListener {
  readonly #options: ChangeListenerOptions;
  readonly #sql: Sql<any>;
  #count = 0;
  #listening = false;
  #closed = false;
  #retryMs = 100;
  #retry: ReturnType<typeof setTimeout> | undefined;

  constructor(options: ChangeListenerOptions) {
    this.#options = options;
    this.#sql = options.connect({
      onnotify: (_channel, payload) => {
        if (payload !== options.ownPayload) this.#count++;
      },
      onclose: () => this.#dropped(),
    });
  }

  /** Resolves once LISTEN runs; rejects when the first attempt fails (the store does not open). */
  async start(): Promise<void> {
    await this.#sql.unsafe(`LISTEN ${CHANGES_CHANNEL}`);
    this.#listening = true;
  }

  /** Synchronous and cheap: what the read caches compare. */
  value(): number {
    return this.#listening ? this.#count : ++this.#count;
  }

  /** A write of this store: seen at once, without waiting for its NOTIFY. */
  bump(): void {
    this.#count++;
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#retry);
    await this.#sql.end({ timeout: 1 });
  }

  #dropped(): void {
    if (this.#closed || !this.#listening) return;
    this.#listening = false;
    this.#count++;
    this.#options.onstate?.(false);
    this.#schedule();
  }

  #schedule(): void {
    // Full jitter, so nodes that lost PostgreSQL together do not come back in step.
    const delay = Math.random() * this.#retryMs;
    this.#retryMs = Math.min(this.#retryMs * 2, 5000);
    this.#retry = setTimeout(() => void this.#relisten(), delay);
    this.#retry.unref?.();
  }

  async #relisten(): Promise<void> {
    if (this.#closed) return;
    try {
      await this.#sql.unsafe(`LISTEN ${CHANGES_CHANNEL}`);
    } catch (error) {
      if (!this.#closed) {
        this.#options.onstate?.(false, error);
        this.#schedule();
      }
      return;
    }
    this.#listening = true;
    this.#retryMs = 100;
    this.#count++;
    this.#options.onstate?.(true);
  }
}
