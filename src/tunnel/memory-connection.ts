/**
 * @module
 * Two connected in-memory `Connection`s, for tests of the session, the handshake and the
 * layers above them without sockets. Messages are delivered asynchronously in order, the
 * sender's `bufferedAmount` counts what is not yet delivered, and `blackhole()` silently
 * drops everything from then on, like a link whose packets vanish.
 */
import type { Connection } from "./connection.ts";
import type { FrameTransport } from "./frame-transport.ts";
import { Relay } from "./relay.ts";

export interface MemoryPair {
  gateway: Connection;
  agent: Connection;
  /** From now on both directions drop every message without closing. */
  blackhole(): void;
}

class MemoryEnd implements FrameTransport {
  readonly relay: Relay;
  peer!: MemoryEnd;
  #pending: Uint8Array[] = [];
  #pendingBytes = 0;
  #scheduled = false;
  #closed = false;
  blackholed = false;

  constructor() {
    this.relay = new Relay(this);
  }

  get bufferedAmount(): number {
    return this.#pendingBytes;
  }

  send(frame: Uint8Array): void {
    if (this.#closed || this.blackholed) return;
    this.#pending.push(frame);
    this.#pendingBytes += frame.byteLength;
    this.#schedule();
  }

  close(code: number, reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.peer.#closed = true;
    // Like a WebSocket: messages already sent arrive first, then both sides see the close.
    setTimeout(() => {
      this.#flush();
      this.peer.#flush();
      this.relay.close(code, reason);
      this.peer.relay.close(code, reason);
    }, 0);
  }

  #schedule() {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.#flush();
      this.relay.drain();
    });
  }

  #flush() {
    const batch = this.#pending;
    this.#pending = [];
    this.#pendingBytes = 0;
    for (const frame of batch) if (!this.blackholed) this.peer.relay.message(frame);
  }
}

export function createMemoryPair(): MemoryPair {
  const gateway = new MemoryEnd();
  const agent = new MemoryEnd();
  gateway.peer = agent;
  agent.peer = gateway;
  return {
    gateway: gateway.relay,
    agent: agent.relay,
    blackhole() {
      gateway.blackholed = true;
      agent.blackholed = true;
    },
  };
}
