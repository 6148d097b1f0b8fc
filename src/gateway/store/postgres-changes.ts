/**
 * @module
 * The PostgreSQL store's `changeVersion()`: a counter its own writes bump at once and a
 * dedicated LISTEN connection bumps on every NOTIFY of `outpost_changes` (the schema's
 * triggers send one from each write's transaction, whichever node or process made it;
 * its own writes it skips, having counted them when they ran).
 *
 * While that connection is down the store cannot hear other writers, so the counter moves
 * on every read of it: the read caches hold nothing and every request reads the store
 * (slower, never stale). A connection that closes is noticed at once; one that goes silent
 * (a network that drops packets without a reset) by a `SELECT 1` every `probeMs` that must
 * answer within `probeMs`. Either way the client is dropped and a new one LISTENs, with a
 * jittered backoff (0.1 s doubling to 5 s); once it is back, one more bump covers whatever
 * changed in the gap.
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
  /** How often the LISTEN connection is probed, and how long a probe may take. Defaults to `5000`. */
  probeMs?: number;
}

export class ChangeListener {
  readonly #options: ChangeListenerOptions;
  readonly #probeMs: number;
  /** The client that LISTENs now; `undefined` while down. */
  #client: Sql<any> | undefined;
  #count = 0;
  #closed = false;
  #retryMs = 100;
  #retry: ReturnType<typeof setTimeout> | undefined;
  #probe: ReturnType<typeof setInterval> | undefined;

  constructor(options: ChangeListenerOptions) {
    this.#options = options;
    this.#probeMs = options.probeMs ?? 5000;
  }

  /** Resolves once LISTEN runs; rejects when the first attempt fails (the store does not open). */
  async start(): Promise<void> {
    await this.#listen();
    this.#probe = setInterval(() => void this.#check(), this.#probeMs);
    this.#probe.unref?.();
  }

  /** Synchronous and cheap: what the read caches compare. */
  value(): number {
    return this.#client ? this.#count : ++this.#count;
  }

  /** A write of this store: seen at once, without waiting for its NOTIFY. */
  bump(): void {
    this.#count++;
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#retry);
    clearInterval(this.#probe);
    await this.#client?.end({ timeout: 1 });
  }

  async #listen(): Promise<void> {
    const client: Sql<any> = this.#options.connect({
      onnotify: (_channel, payload) => {
        if (payload !== this.#options.ownPayload) this.#count++;
      },
      onclose: () => this.#dropped(client),
    });
    try {
      await client.unsafe(`LISTEN ${CHANGES_CHANNEL}`);
    } catch (error) {
      void client.end({ timeout: 0 });
      throw error;
    }
    this.#client = client;
  }

  async #check(): Promise<void> {
    const client = this.#client;
    if (!client) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const silent = new Promise<"silent">((resolve) => (timer = setTimeout(() => resolve("silent"), this.#probeMs)));
    const answer = await Promise.race([client`SELECT 1`.then(() => "ok" as const, () => "failed" as const), silent]);
    clearTimeout(timer);
    if (answer !== "ok") this.#dropped(client, new Error(`the LISTEN connection ${answer === "silent" ? `did not answer within ${this.#probeMs} ms` : "failed a probe"}`));
  }

  #dropped(client: Sql<any>, error?: Error): void {
    if (this.#closed || client !== this.#client) return;
    this.#client = undefined;
    this.#count++;
    void client.end({ timeout: 0 }).catch(() => {});
    this.#options.onstate?.(false, error);
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
      await this.#listen();
    } catch (error) {
      if (!this.#closed) {
        this.#options.onstate?.(false, error);
        this.#schedule();
      }
      return;
    }
    if (this.#closed) return void this.#client?.end({ timeout: 0 });
    this.#retryMs = 100;
    this.#count++;
    this.#options.onstate?.(true);
  }
}
