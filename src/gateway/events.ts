/**
 * @module
 * Server-sent events for the console: `GET /v1/admin/events?ticket=…` streams a line per
 * change (an agent connected, left or was disabled; an admin call changed something; an
 * alert was delivered) and a `tick` every few seconds so rates refresh. Events say *what*
 * changed, never the data: the page re-reads the API it already uses, with its token.
 *
 * A browser's `EventSource` cannot send an `Authorization` header, and a token in a URL
 * ends up in proxy logs and browser history. So the page trades its admin token for a
 * ticket (`POST /v1/admin/events/ticket`): random, single use, valid for 30 s, good only
 * for opening this stream. A leaked ticket is worthless a moment later.
 *
 * A stream lives no longer than the token that opened it: every tick (and at once after an
 * admin call on /v1/admin/tokens) the hub asks `tokenValid` about each open stream's token
 * and closes the streams of a revoked one — whichever gateway node or CLI revoked it.
 */
import { randomBytes } from "node:crypto";
import { GatewayError } from "./http-errors.ts";

export type GatewayEvent =
  | { type: "agent"; change: "connected" | "disconnected" | "changed"; /** The group's id. */ group: string; agent: string }
  | { type: "admin"; method: string; path: string }
  | { type: "alert"; group: string; event: string; status: string }
  | { type: "tick" };

export interface EventHubOptions {
  /** How long a ticket may wait before it opens a stream. Defaults to 30,000 ms. */
  ticketTtlMs?: number;
  /** Interval of `tick` events (and of the keep-alive they double as). Defaults to 10,000 ms. */
  tickMs?: number;
  /** Injected for tests. Defaults to `Date.now`. */
  now?: () => number;
  /** Whether the token with this id may still read the stream. Defaults to always (no store to ask). */
  tokenValid?: (tokenId: string) => Promise<boolean>;
}

const encoder = new TextEncoder();

export class EventHub {
  readonly #tickets = new Map<string, { expiresAt: number; tokenId: string }>();
  /** Each open stream and the id of the token that opened it. */
  readonly #streams = new Map<ReadableStreamDefaultController<Uint8Array>, string>();
  readonly #tokenValid: (tokenId: string) => Promise<boolean>;
  readonly #ticketTtlMs: number;
  readonly #now: () => number;
  readonly #timer: ReturnType<typeof setInterval>;

  constructor(options: EventHubOptions = {}) {
    this.#ticketTtlMs = options.ticketTtlMs ?? 30_000;
    this.#now = options.now ?? Date.now;
    this.#tokenValid = options.tokenValid ?? (async () => true);
    this.#timer = setInterval(() => {
      void this.recheckTokens();
      this.publish({ type: "tick" });
    }, options.tickMs ?? 10_000);
  }

  /** A one-time ticket for opening the stream; the caller has already proved `tokenId` is an admin token. */
  issueTicket(tokenId: string): { ticket: string; expiresAt: number } {
    const now = this.#now();
    for (const [ticket, entry] of this.#tickets) if (entry.expiresAt <= now) this.#tickets.delete(ticket);
    const ticket = `evt_${randomBytes(24).toString("base64url")}`;
    const expiresAt = now + this.#ticketTtlMs;
    this.#tickets.set(ticket, { expiresAt, tokenId });
    return { ticket, expiresAt };
  }

  /** Closes the streams whose token is no longer valid. One store read per distinct token. */
  async recheckTokens(): Promise<void> {
    for (const tokenId of new Set(this.#streams.values())) {
      const valid = await this.#tokenValid(tokenId).catch(() => true); // a store hiccup is no revocation
      if (valid) continue;
      for (const [controller, owner] of [...this.#streams]) if (owner === tokenId) this.#drop(controller);
    }
  }

  /** Opens a stream for a valid ticket (spending it); UNAUTHENTICATED otherwise. */
  open(ticket: string | null, signal: AbortSignal): Response {
    const entry = ticket ? this.#tickets.get(ticket) : undefined;
    if (ticket) this.#tickets.delete(ticket);
    if (entry === undefined || entry.expiresAt <= this.#now()) {
      throw new GatewayError("UNAUTHENTICATED", "the events ticket is unknown, used or expired; ask for a new one with POST /v1/admin/events/ticket");
    }
    let controller!: ReadableStreamDefaultController<Uint8Array>;
    const body = new ReadableStream<Uint8Array>({
      start: (c) => {
        controller = c;
        this.#streams.set(c, entry.tokenId);
        // `retry` tells EventSource how long to wait before reconnecting by itself.
        c.enqueue(encoder.encode(`retry: 3000\nevent: hello\ndata: {}\n\n`));
      },
      cancel: () => void this.#streams.delete(controller),
    });
    signal.addEventListener("abort", () => this.#drop(controller), { once: true });
    return new Response(body, {
      headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-store", "x-accel-buffering": "no" },
    });
  }

  publish(event: GatewayEvent): void {
    const frame = encoder.encode(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
    for (const controller of this.#streams.keys()) {
      try {
        controller.enqueue(frame);
      } catch {
        this.#streams.delete(controller);
      }
    }
  }

  close(): void {
    clearInterval(this.#timer);
    for (const controller of [...this.#streams.keys()]) this.#drop(controller);
  }

  #drop(controller: ReadableStreamDefaultController<Uint8Array>) {
    if (!this.#streams.delete(controller)) return;
    try {
      controller.close();
    } catch {
      // Already closed by the client going away.
    }
  }
}
