/**
 * @module
 * The listener slot behind every `Connection` adapter: delivers events to the current
 * listener, or queues them (bounded) while there is none, so the hand-over from handshake
 * to session loses nothing.
 */
import type { Connection, ConnectionListener } from "./connection.ts";
import type { FrameTransport } from "./frame-transport.ts";

/** Queued bytes past which a link with no listener is closed (1009, message too big). */
const MAX_QUEUED_BYTES = 4 * 1024 * 1024;

export class Relay implements Connection {
  readonly transport: FrameTransport;
  #listener: ConnectionListener | undefined;
  #queue: Uint8Array[] = [];
  #queuedBytes = 0;
  #closed: { code: number; reason: string } | undefined;

  constructor(transport: FrameTransport) {
    this.transport = transport;
  }

  listen(listener: ConnectionListener | undefined): void {
    this.#listener = listener;
    while (this.#listener === listener && listener && this.#queue.length > 0) {
      const data = this.#queue.shift()!;
      this.#queuedBytes -= data.byteLength;
      listener.message(data);
    }
    if (this.#listener === listener && listener && this.#closed) listener.close(this.#closed.code, this.#closed.reason);
  }

  message(data: Uint8Array): void {
    if (this.#closed) return;
    if (this.#listener) return this.#listener.message(data);
    this.#queue.push(data);
    this.#queuedBytes += data.byteLength;
    if (this.#queuedBytes > MAX_QUEUED_BYTES) this.transport.close(1009, "too much data before the session started");
  }

  close(code: number, reason: string): void {
    if (this.#closed) return;
    this.#closed = { code, reason };
    this.#listener?.close(code, reason);
  }

  drain(): void {
    this.#listener?.drain?.();
  }
}
