/**
 * @module
 * The gateway's side of the link: wraps a Bun `ServerWebSocket` as a `Connection`. Forward
 * Bun.serve's `websocket` handlers to it:
 *
 * ```ts
 * websocket: {
 *   maxPayloadLength: DEFAULT_MAX_FRAME + HEADER_SIZE, // the WebSocket layer caps allocation too
 *   backpressureLimit: 16 * 1024 * 1024,              // well above the session's high-water mark
 *   open(ws) { ws.data.link = new ServerWebSocketConnection(ws); },
 *   message(ws, message) { ws.data.link.handleMessage(message); },
 *   drain(ws) { ws.data.link.handleDrain(); },
 *   close(ws, code, reason) { ws.data.link.handleClose(code, reason); },
 * }
 * ```
 */
import type { ServerWebSocket } from "bun";
import type { Connection, ConnectionListener } from "./connection.ts";
import { Relay } from "./relay.ts";

export class ServerWebSocketConnection implements Connection {
  readonly #relay: Relay;

  constructor(ws: ServerWebSocket<unknown>) {
    let closed = false;
    this.#relay = new Relay({
      send(frame) {
        if (closed) return;
        // 0 means Bun dropped the message (backpressure limit): the stream state is now wrong, so end the link.
        if (ws.send(frame) === 0) {
          closed = true;
          ws.close(1011, "send buffer overflow");
        }
      },
      get bufferedAmount() {
        return ws.getBufferedAmount();
      },
      close(code, reason) {
        if (closed) return;
        closed = true;
        ws.close(code, reason);
      },
    });
  }

  get transport() {
    return this.#relay.transport;
  }

  listen(listener: ConnectionListener | undefined): void {
    this.#relay.listen(listener);
  }

  handleMessage(message: string | Uint8Array): void {
    if (typeof message === "string") return this.#relay.transport.close(1003, "binary messages only");
    this.#relay.message(message);
  }

  handleDrain(): void {
    this.#relay.drain();
  }

  handleClose(code: number, reason: string): void {
    this.#relay.close(code, reason);
  }
}
