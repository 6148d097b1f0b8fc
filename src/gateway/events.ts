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
}

const encoder = new TextEncoder();

export class EventHub {
  readonly #tickets = new Map<string, number>();
  readonly #streams = new Set<ReadableStreamDefaultController<Uint8Array>>();
  readonly #ticketTtlMs: number;
  readonly #now: () => number;
  readonly #timer: ReturnType<typeof setInterval>;

  constructor(options: EventHubOptions = {}) {
    this.#ticketTtlMs = options.ticketTtlMs ?? 30_000;
    this.#now = options.now ?? Date.now;
    this.#timer = setInterval(() => this.publish({ type: "tick" }), options.tickMs ?? 10_000);
  }

  /** A one-time ticket for opening the stream; the caller has already proved an admin token. */
  issueTicket(): { ticket: string; expiresAt: number } {
    const now = this.#now();
    for (const [ticket, expiresAt] of this.#tickets) if (expiresAt <= now) this.#tickets.delete(ticket);
    const ticket = `evt_${randomBytes(24).toString("base64url")}`;
    const expiresAt = now + this.#ticketTtlMs;
    this.#tickets.set(ticket, expiresAt);
    return { ticket, expiresAt };
  }

  /** Opens a stream for a valid ticket (spending it); UNAUTHENTICATED otherwise. */
  open(ticket: string | null, signal: AbortSignal): Response {
    const expiresAt = ticket ? this.#tickets.get(ticket) : undefined;
    if (ticket) this.#tickets.delete(ticket);
    if (expiresAt === undefined || expiresAt <= this.#now()) {
      throw new GatewayError("UNAUTHENTICATED", "the events ticket is unknown, used or expired; ask for a new one with POST /v1/admin/events/ticket");
    }
    let controller!: ReadableStreamDefaultController<Uint8Array>;
    const body = new ReadableStream<Uint8Array>({
      start: (c) => {
        controller = c;
        this.#streams.add(c);
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
    for (const controller of this.#streams) {
      try {
        controller.enqueue(frame);
      } catch {
        this.#streams.delete(controller);
      }
    }
  }

  close(): void {
    clearInterval(this.#timer);
    for (const controller of [...this.#streams]) this.#drop(controller);
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
