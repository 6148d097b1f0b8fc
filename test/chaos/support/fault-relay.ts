/**
 * @module
 * A fault-injecting TCP relay for chaos tests. The agent dials the relay instead of the
 * gateway; every connection is piped to the target, and the test turns faults on and off
 * while traffic flows: latency with jitter (order kept), a bandwidth cap, a clean cut
 * (FIN both ways), a reset (RST both ways, also after N more bytes), a black hole (bytes
 * vanish, sockets stay open, no FIN, no RST), a half-open link (the gateway side closes,
 * the agent side is held silently open), and a half-close (FIN one way only).
 * It forwards raw bytes (TLS passes through untouched), so it sees no frames.
 */
import { connect, createServer, type Server, type Socket } from "node:net";

export interface FaultRelayOptions {
  /** Where connections are forwarded. */
  targetPort: number;
  /** Defaults to `127.0.0.1`. */
  targetHost?: string;
}

export type Direction = "to-target" | "to-client";

interface Pipe {
  client: Socket;
  target: Socket;
  /** Chunks waiting for their delivery time, per direction. */
  pending: Record<Direction, number>;
  /** Earliest time the next chunk of a direction may be written (keeps order, paces bandwidth). */
  nextAt: Record<Direction, number>;
  /** Set when a reset is armed: bytes left before both sockets are reset. */
  resetAfter?: number;
  dead: boolean;
}

/** Most bytes buffered per direction before the source socket is paused (backpressure). */
const MAX_PENDING = 256 * 1024;

export class FaultRelay {
  readonly #options: FaultRelayOptions;
  readonly #server: Server;
  readonly #pipes = new Set<Pipe>();
  #latencyMs = 0;
  #jitterMs = 0;
  #bytesPerSecond = 0;
  #blackHole = false;
  #accepted = 0;
  #forwarded = 0;
  port = 0;

  private constructor(options: FaultRelayOptions) {
    this.#options = options;
    // allowHalfOpen: a FIN from one side must not end the other direction.
    this.#server = createServer({ allowHalfOpen: true }, (client) => this.#accept(client));
  }

  /** Starts a relay on a free loopback port. */
  static async start(options: FaultRelayOptions): Promise<FaultRelay> {
    const relay = new FaultRelay(options);
    await new Promise<void>((resolve) => relay.#server.listen(0, "127.0.0.1", resolve));
    relay.port = (relay.#server.address() as { port: number }).port;
    return relay;
  }

  /** Connections currently relayed. */
  get connections(): number {
    return this.#pipes.size;
  }

  /** Connections accepted since the start. */
  get accepted(): number {
    return this.#accepted;
  }

  /** Bytes forwarded in both directions since the start. */
  get forwardedBytes(): number {
    return this.#forwarded;
  }

  /** Adds `ms` plus a random 0..`jitterMs` to every chunk, both directions, keeping order. `0, 0` turns it off. */
  latency(ms: number, jitterMs = 0): void {
    this.#latencyMs = ms;
    this.#jitterMs = jitterMs;
  }

  /** Caps each direction of each connection to `bytesPerSecond`; `0` removes the cap. */
  bandwidth(bytesPerSecond: number): void {
    this.#bytesPerSecond = bytesPerSecond;
  }

  /** While on, bytes are dropped silently in both directions and sockets stay open (no FIN, no RST). */
  blackHole(on: boolean): void {
    this.#blackHole = on;
  }

  /** Ends every connection cleanly: FIN to both sides. */
  cut(): void {
    for (const pipe of this.#pipes) this.#close(pipe, (socket) => socket.end());
  }

  /** Resets every connection: RST to both sides. */
  reset(): void {
    for (const pipe of this.#pipes) this.#close(pipe, (socket) => socket.resetAndDestroy());
  }

  /** Resets every current connection after `bytes` more bytes have passed through it. */
  resetAfter(bytes: number): void {
    for (const pipe of this.#pipes) pipe.resetAfter = bytes;
  }

  /** Half-open: the target side is closed, the client side is kept open and silent (what a NAT that forgot the flow leaves behind). */
  halfOpen(): void {
    for (const pipe of this.#pipes) {
      pipe.dead = true;
      pipe.target.destroy();
      pipe.client.removeAllListeners("data");
      pipe.client.on("data", () => {});
    }
  }

  /** Half-close: sends FIN in one direction only; the other keeps flowing. */
  halfClose(direction: Direction): void {
    for (const pipe of this.#pipes) (direction === "to-target" ? pipe.target : pipe.client).end();
  }

  /** Clears every fault (latency, bandwidth, black hole) for what flows from now on. */
  heal(): void {
    this.latency(0, 0);
    this.bandwidth(0);
    this.blackHole(false);
  }

  /** Stops listening and destroys every connection. */
  async close(): Promise<void> {
    for (const pipe of this.#pipes) this.#close(pipe, (socket) => socket.destroy());
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #accept(client: Socket): void {
    this.#accepted++;
    const target = connect({ port: this.#options.targetPort, host: this.#options.targetHost ?? "127.0.0.1", allowHalfOpen: true });
    const pipe: Pipe = { client, target, pending: { "to-target": 0, "to-client": 0 }, nextAt: { "to-target": 0, "to-client": 0 }, dead: false };
    this.#pipes.add(pipe);
    client.setNoDelay(true);
    target.setNoDelay(true);
    this.#forward(pipe, client, target, "to-target");
    this.#forward(pipe, target, client, "to-client");
    const gone = () => this.#close(pipe, (socket) => socket.destroy());
    for (const socket of [client, target]) {
      socket.on("error", gone);
      socket.on("close", () => {
        if (!pipe.dead) gone();
        else if (pipe.client.destroyed && pipe.target.destroyed) this.#pipes.delete(pipe);
      });
    }
  }

  #forward(pipe: Pipe, from: Socket, to: Socket, direction: Direction): void {
    from.on("data", (chunk: Buffer) => {
      if (pipe.dead || this.#blackHole) return; // the packet vanished
      this.#forwarded += chunk.byteLength;
      if (pipe.resetAfter !== undefined) {
        pipe.resetAfter -= chunk.byteLength;
        if (pipe.resetAfter <= 0) return this.#close(pipe, (socket) => socket.resetAndDestroy());
      }
      const delay = this.#latencyMs + Math.random() * this.#jitterMs;
      const pace = this.#bytesPerSecond > 0 ? (chunk.byteLength / this.#bytesPerSecond) * 1000 : 0;
      if (delay === 0 && pace === 0 && pipe.pending[direction] === 0) {
        if (!to.destroyed && to.writable) to.write(chunk);
        return;
      }
      const at = Math.max(performance.now() + delay, pipe.nextAt[direction]);
      pipe.nextAt[direction] = at + pace;
      pipe.pending[direction] += chunk.byteLength;
      if (pipe.pending[direction] > MAX_PENDING) from.pause();
      queue.push({ at, chunk });
      if (queue.length === 1) pump();
    });
    // One timer per direction delivers queued chunks strictly in order (separate timers
    // per chunk can fire out of order and corrupt the TLS stream).
    const queue: { at: number; chunk: Buffer }[] = [];
    const pump = () => {
      const head = queue[0];
      if (!head) return;
      const wait = head.at - performance.now();
      if (wait > 0) return void setTimeout(pump, wait);
      queue.shift();
      pipe.pending[direction] -= head.chunk.byteLength;
      if (pipe.pending[direction] <= MAX_PENDING / 2 && from.isPaused()) from.resume();
      if (!pipe.dead && !this.#blackHole && !to.destroyed && to.writable) to.write(head.chunk);
      pump();
    };
    // A FIN from one side is passed on as a FIN (TCP half-close), after what is still queued.
    from.on("end", () => {
      const wait = Math.max(0, pipe.nextAt[direction] - performance.now());
      setTimeout(() => {
        if (!pipe.dead && !to.destroyed) to.end();
      }, wait);
    });
  }

  #close(pipe: Pipe, how: (socket: Socket) => void): void {
    if (!this.#pipes.delete(pipe)) return;
    pipe.dead = true;
    for (const socket of [pipe.client, pipe.target]) {
      if (socket.destroyed) continue;
      try {
        how(socket);
      } catch {
        socket.destroy();
      }
    }
  }
}
