/**
 * @module
 * The stream multiplexer over one connection (see `src/protocol/SPEC.md`). The gateway
 * opens streams, the agent receives them through `onStream`; both sides run the same
 * flow control, keepalive and go-away logic. Feed every WebSocket message to `receive()`
 * and the close event to `transportClosed()`; `attachSession()` does both for a
 * `Connection`.
 *
 * Backpressure on the transport: DATA is written only while `transport.bufferedAmount` is
 * at or below `highWaterMark`. Waiting writers are woken by `drained()` (adapters with a
 * drain event call it) and, as a fallback for transports without one, by polling every
 * `drainPollMs`. Control frames are small and bypass this check.
 */
import {
  CloseCode, DEFAULT_INITIAL_WINDOW, DEFAULT_MAX_FRAME, FrameFlag, FrameType, GoAwayCode, MAX_STREAM_ID,
  ProtocolError, ResetCode, decodeFrames, decodeOpenHeader, encodeFrame, encodeOpenHeader, goAwayFrame, pingFrame,
  readCodeAndMessage, readCredit, resetFrame, type Frame, type OpenHeader,
} from "../protocol/index.ts";
import { systemClock, type Clock } from "./clock.ts";
import { TunnelError } from "./errors.ts";
import type { FrameTransport } from "./frame-transport.ts";
import { Stream, type StreamHost } from "./stream.ts";

/** The logger the tunnel writes to; `src/log` loggers fit it. */
export interface TunnelLogger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
}

export interface KeepaliveOptions {
  /** How often to PING. */
  intervalMs: number;
  /** Silence (no frame at all) after which the link is declared dead. */
  timeoutMs: number;
}

/** 1.5 s pings, dead after 4.5 s of silence: a black-holed link is caught within 5 s. */
export const DEFAULT_KEEPALIVE: KeepaliveOptions = { intervalMs: 1500, timeoutMs: 4500 };

export interface SessionOptions {
  transport: FrameTransport;
  /** The gateway opens streams; the agent receives them. */
  role: "gateway" | "agent";
  /** Per-stream window in bytes, both directions. Defaults to 256 KiB. */
  initialWindow?: number;
  /** Largest frame payload, as negotiated in HELLO. Defaults to 64 KiB. */
  maxFrameSize?: number;
  /** Concurrent streams the agent accepts before refusing OPENs (RESET REFUSED). Defaults to 10,000. */
  maxStreams?: number;
  /** Transport send-buffer bytes above which DATA writers wait. Defaults to 1 MiB. */
  highWaterMark?: number;
  /** How often waiting writers re-check the send buffer. Defaults to 10 ms. */
  drainPollMs?: number;
  /** Agent side: called for each stream the gateway opens. */
  onStream?: (stream: Stream) => void;
  /** Called once when the peer sends GO_AWAY. */
  onGoAway?: (code: number, message: string) => void;
  /** Called once when the session ends; no error for a clean close. */
  onClose?: (error?: TunnelError) => void;
  /** Ping settings, or `false` for none. Defaults to `DEFAULT_KEEPALIVE`. */
  keepalive?: KeepaliveOptions | false;
  /** Defaults to the system clock. */
  clock?: Clock;
  logger?: TunnelLogger;
}

const silent: TunnelLogger = { debug() {}, info() {}, warn() {} };

/** Bytes of frames batched into one message before it is sent without waiting for the turn to end. */
const BATCH_BYTES = 64 * 1024;

export class Session {
  readonly role: "gateway" | "agent";
  readonly #transport: FrameTransport;
  readonly #streams = new Map<number, Stream>();
  readonly #host: StreamHost;
  readonly #options: SessionOptions;
  readonly #clock: Clock;
  readonly #log: TunnelLogger;
  readonly #highWaterMark: number;
  readonly #maxFrame: number;
  #nextId = 1;
  #lastRemoteId = 0;
  #sentGoAway = false;
  #receivedGoAway = false;
  #closed = false;
  #transportGone = false;
  #lastReceived: number;
  #keepaliveTimer: unknown;
  #drainWaiters: Array<() => void> = [];
  #drainTimer: unknown;
  #pingSeq = 0;
  #batch: Uint8Array[] = [];
  #batchBytes = 0;
  readonly #pings = new Map<number, { started: number; resolve: (rtt: number) => void; reject: (e: TunnelError) => void }>();

  constructor(options: SessionOptions) {
    this.role = options.role;
    this.#options = options;
    this.#transport = options.transport;
    this.#clock = options.clock ?? systemClock;
    this.#log = options.logger ?? silent;
    this.#highWaterMark = options.highWaterMark ?? 1024 * 1024;
    this.#maxFrame = options.maxFrameSize ?? DEFAULT_MAX_FRAME;
    const initialWindow = options.initialWindow ?? DEFAULT_INITIAL_WINDOW;
    this.#host = {
      maxFrame: this.#maxFrame,
      initialWindow,
      send: (frame) => this.#send(frame),
      writable: () => this.#closed || this.#transport.bufferedAmount <= this.#highWaterMark,
      waitWritable: () => this.#waitWritable(),
      forget: (stream) => this.#forget(stream),
    };
    this.#lastReceived = this.#clock.now();
    if (options.keepalive !== false) this.#scheduleKeepalive((options.keepalive ?? DEFAULT_KEEPALIVE).intervalMs);
  }

  get activeStreams(): number {
    return this.#streams.size;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** True once GO_AWAY was sent or received: no new streams. */
  get goingAway(): boolean {
    return this.#sentGoAway || this.#receivedGoAway;
  }

  /** Feeds one WebSocket message. Never throws: a bad frame ends the session with GO_AWAY PROTOCOL_ERROR. */
  receive(message: Uint8Array): void {
    if (this.#closed) return;
    this.#lastReceived = this.#clock.now();
    try {
      for (const frame of decodeFrames(message, { maxPayload: this.#maxFrame })) {
        if (this.#closed) return;
        this.#dispatch(frame);
      }
    } catch (error) {
      if (error instanceof ProtocolError) return this.#violation(error);
      this.#log.warn("tunnel session failed on a frame", { error });
      this.#sendGoAway(GoAwayCode.INTERNAL, "internal error");
      this.close(new TunnelError("SESSION_CLOSED", "internal error while handling a frame", { cause: error }));
    }
  }

  /** The connection closed under us (the adapter's close event). */
  transportClosed(code: number, reason: string): void {
    this.#transportGone = true;
    if (this.#closed) return;
    const clean = code === CloseCode.NORMAL && this.goingAway;
    this.close(clean ? undefined : new TunnelError("SESSION_CLOSED", `connection closed (${code} ${reason})`, { closeCode: code }));
  }

  /** The transport's send buffer drained; wakes writers waiting on the high-water mark. */
  drained(): void {
    if (this.#transport.bufferedAmount <= this.#highWaterMark) this.#wakeWriters();
  }

  /** Gateway only: opens a stream for one request. Throws `TunnelError` when closed or going away. */
  open(header: OpenHeader): Stream {
    if (this.role !== "gateway") throw new TunnelError("PROTOCOL_ERROR", "only the gateway opens streams");
    if (this.#closed) throw new TunnelError("SESSION_CLOSED", "session is closed");
    if (this.goingAway) throw new TunnelError("GOING_AWAY", "session is going away");
    if (this.#nextId > MAX_STREAM_ID) {
      this.goAway(GoAwayCode.NORMAL, "stream ids exhausted");
      throw new TunnelError("GOING_AWAY", "stream ids exhausted");
    }
    const payload = encodeOpenHeader(header);
    if (payload.byteLength > this.#maxFrame) {
      throw new TunnelError("HEADER_TOO_LARGE", `the request's arguments take ${payload.byteLength} bytes; one request carries at most ${this.#maxFrame}`, { retryable: false });
    }
    const id = this.#nextId;
    this.#nextId += 2;
    const stream = new Stream({ id, header, host: this.#host });
    this.#streams.set(id, stream);
    this.#send(encodeFrame({ type: FrameType.OPEN, flags: 0, streamId: id, payload }));
    return stream;
  }

  /** Sends GO_AWAY once: no new streams; the session closes when the last stream finishes. */
  goAway(code: GoAwayCode, message = ""): void {
    this.#sendGoAway(code, message);
    this.#closeIfIdle();
  }

  /** Round-trip time in ms of one PING. Rejects if the session closes first. */
  ping(): Promise<number> {
    if (this.#closed) return Promise.reject(new TunnelError("SESSION_CLOSED", "session is closed"));
    const seq = ++this.#pingSeq;
    return new Promise((resolve, reject) => {
      this.#pings.set(seq, { started: this.#clock.now(), resolve, reject });
      this.#send(pingFrame(opaque(seq), false));
    });
  }

  /** Ends the session: every stream fails with `error` (or SESSION_CLOSED), the transport closes. Idempotent. */
  close(error?: TunnelError): void {
    if (this.#closed) return;
    this.#flush(); // frames queued this turn (a GO_AWAY, the last END) still go out
    this.#closed = true;
    this.#clock.clearTimeout(this.#keepaliveTimer);
    this.#clock.clearTimeout(this.#drainTimer);
    const streamError = error ?? new TunnelError("SESSION_CLOSED", "session closed");
    for (const stream of [...this.#streams.values()]) stream.fail(streamError);
    this.#streams.clear();
    for (const ping of this.#pings.values()) ping.reject(streamError);
    this.#pings.clear();
    this.#wakeWriters();
    if (!this.#transportGone) {
      const code = !error ? CloseCode.NORMAL : error.code === "PROTOCOL_ERROR" ? CloseCode.PROTOCOL_ERROR : CloseCode.INTERNAL;
      this.#transport.close(code, error ? error.code : "closed");
    }
    if (error) this.#log.info("tunnel session closed", { code: error.code, error: error.message });
    this.#options.onClose?.(error);
  }

  #dispatch(frame: Frame): void {
    switch (frame.type) {
      case FrameType.HELLO:
        throw new ProtocolError("BAD_MESSAGE", "HELLO after the handshake");
      case FrameType.OPEN:
        return this.#onOpen(frame);
      case FrameType.PING:
        return this.#onPing(frame);
      case FrameType.GO_AWAY:
        return this.#onGoAway(frame);
    }
    const stream = this.#streams.get(frame.streamId);
    if (!stream) {
      if (this.#wasOpened(frame.streamId)) return; // crossed a RESET or a close on the wire
      throw new ProtocolError("BAD_STREAM_ID", `frame for stream ${frame.streamId}, which was never opened`);
    }
    switch (frame.type) {
      case FrameType.DATA:
        return stream.handleData(frame.payload);
      case FrameType.WINDOW_UPDATE:
        return stream.handleWindowUpdate(readCredit(frame.payload));
      case FrameType.END:
        return stream.handleEnd();
      case FrameType.RESET: {
        const { code, message } = readCodeAndMessage(frame.payload);
        return stream.handleReset(code, message);
      }
    }
  }

  #onOpen(frame: Frame): void {
    const id = frame.streamId;
    if (this.role !== "agent") throw new ProtocolError("BAD_STREAM_ID", "the agent may not open streams");
    if (id % 2 !== 1 || id <= this.#lastRemoteId) throw new ProtocolError("BAD_STREAM_ID", `OPEN with stream id ${id} out of order`);
    this.#lastRemoteId = id;
    let header: OpenHeader;
    try {
      header = decodeOpenHeader(frame.payload);
    } catch (error) {
      // A bad header breaks one request, not the connection others share.
      this.#log.warn("tunnel refused a stream with a bad open header", { streamId: id, error: (error as Error).message });
      return this.#send(resetFrame(id, ResetCode.PROTOCOL_ERROR, "bad open header"));
    }
    if (this.goingAway) return this.#send(resetFrame(id, ResetCode.REFUSED, "going away"));
    if (this.#streams.size >= (this.#options.maxStreams ?? 10_000)) return this.#send(resetFrame(id, ResetCode.REFUSED, "too many streams"));
    const stream = new Stream({ id, header, host: this.#host });
    this.#streams.set(id, stream);
    try {
      this.#options.onStream?.(stream);
    } catch (error) {
      this.#log.warn("tunnel stream handler threw", { streamId: id, error: (error as Error).message });
      stream.reset(ResetCode.INTERNAL, "handler failed");
    }
  }

  #onPing(frame: Frame): void {
    if ((frame.flags & FrameFlag.ACK) === 0) return this.#send(pingFrame(frame.payload, true));
    const seq = new DataView(frame.payload.buffer, frame.payload.byteOffset, 8).getFloat64(0);
    const ping = this.#pings.get(seq);
    if (!ping) return; // an answer to a keepalive probe: arriving was the point
    this.#pings.delete(seq);
    ping.resolve(this.#clock.now() - ping.started);
  }

  #onGoAway(frame: Frame): void {
    if (this.#receivedGoAway) return;
    this.#receivedGoAway = true;
    const { code, message } = readCodeAndMessage(frame.payload);
    this.#log.info("tunnel peer is going away", { code, message });
    this.#options.onGoAway?.(code, message);
    if (code === GoAwayCode.PROTOCOL_ERROR) {
      return this.close(new TunnelError("PROTOCOL_ERROR", `peer reported a protocol error: ${message}`));
    }
    this.#closeIfIdle();
  }

  #sendGoAway(code: GoAwayCode, message: string): void {
    if (this.#closed || this.#sentGoAway) return;
    this.#sentGoAway = true;
    this.#log.info("tunnel going away", { code, message });
    this.#send(goAwayFrame(code, message));
  }

  #violation(error: ProtocolError): void {
    this.#log.warn("tunnel peer broke the protocol", { code: error.code, error: error.message });
    this.#sendGoAway(GoAwayCode.PROTOCOL_ERROR, error.message);
    this.close(new TunnelError("PROTOCOL_ERROR", error.message, { cause: error }));
  }

  #wasOpened(id: number): boolean {
    if (id % 2 !== 1) return false;
    return this.role === "gateway" ? id < this.#nextId : id <= this.#lastRemoteId;
  }

  #forget(stream: Stream): void {
    if (this.#streams.get(stream.id) !== stream) return;
    this.#streams.delete(stream.id);
    this.#closeIfIdle();
  }

  #closeIfIdle(): void {
    if (!this.#closed && this.goingAway && this.#streams.size === 0) this.close();
  }

  /**
   * Frames produced in one turn of the event loop leave as one WebSocket message (SPEC
   * "Messages"): a small request or answer is one message and one TLS record instead of
   * several. A batch is flushed once the turn's microtasks have run (setImmediate, not a
   * microtask: a reply's head, body and END are written across several awaits), or at
   * once past BATCH_BYTES.
   */
  #send(frame: Uint8Array): void {
    if (this.#closed || this.#transportGone) return;
    // A message stays within BATCH_BYTES, or is one frame on its own (never over the frame limit).
    if (this.#batchBytes + frame.byteLength > BATCH_BYTES) this.#flush();
    this.#batch.push(frame);
    this.#batchBytes += frame.byteLength;
    if (this.#batchBytes >= BATCH_BYTES) this.#flush();
    else if (this.#batch.length === 1) setImmediate(() => this.#flush());
  }

  #flush(): void {
    const frames = this.#batch;
    const size = this.#batchBytes;
    if (frames.length === 0) return;
    this.#batch = [];
    this.#batchBytes = 0;
    if (this.#closed || this.#transportGone) return;
    if (frames.length === 1) return this.#transport.send(frames[0]!);
    const message = new Uint8Array(size);
    let offset = 0;
    for (const frame of frames) {
      message.set(frame, offset);
      offset += frame.byteLength;
    }
    this.#transport.send(message);
  }

  async #waitWritable(): Promise<void> {
    while (!this.#closed && this.#transport.bufferedAmount > this.#highWaterMark) {
      await new Promise<void>((resolve) => {
        this.#drainWaiters.push(resolve);
        this.#pollDrain();
      });
    }
  }

  #pollDrain(): void {
    if (this.#drainTimer !== undefined || this.#closed) return;
    this.#drainTimer = this.#clock.setTimeout(() => {
      this.#drainTimer = undefined;
      if (this.#transport.bufferedAmount <= this.#highWaterMark) this.#wakeWriters();
      else if (this.#drainWaiters.length > 0) this.#pollDrain();
    }, this.#options.drainPollMs ?? 10);
  }

  #wakeWriters(): void {
    const waiters = this.#drainWaiters;
    this.#drainWaiters = [];
    for (const wake of waiters) wake();
  }

  #scheduleKeepalive(delayMs: number): void {
    this.#keepaliveTimer = this.#clock.setTimeout(() => this.#keepaliveTick(), delayMs);
  }

  #keepaliveTick(): void {
    if (this.#closed) return;
    const { intervalMs, timeoutMs } = this.#options.keepalive || DEFAULT_KEEPALIVE;
    const silence = this.#clock.now() - this.#lastReceived;
    if (silence >= timeoutMs) {
      this.#log.warn("tunnel link is dead", { silenceMs: Math.round(silence) });
      return this.close(new TunnelError("LINK_DEAD", `no frame for ${Math.round(silence)} ms`));
    }
    this.#send(pingFrame(opaque(0), false));
    this.#scheduleKeepalive(Math.min(intervalMs, timeoutMs - silence));
  }
}

/** Eight opaque bytes carrying a ping sequence number (0 for keepalive probes). */
function opaque(seq: number): Uint8Array {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setFloat64(0, seq);
  return bytes;
}
