/**
 * @module
 * A connected link as the adapters hand it out: a transport to write to and one listener
 * slot for what arrives. The handshake listens first, then the session (`attachSession`).
 * Messages that arrive while nobody listens are queued, so none is lost at the hand-over.
 */
import type { FrameTransport } from "./frame-transport.ts";

export interface ConnectionListener {
  /** One binary WebSocket message. */
  message(data: Uint8Array): void;
  /** The connection closed (by either side). Called once. */
  close(code: number, reason: string): void;
  /** The send buffer has drained below the adapter's threshold. */
  drain?(): void;
}

export interface Connection {
  readonly transport: FrameTransport;
  /** Sets the listener (replacing any previous one) and flushes queued events; `undefined` queues again. */
  listen(listener: ConnectionListener | undefined): void;
}
