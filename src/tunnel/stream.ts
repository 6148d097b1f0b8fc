/**
 * @module
 * One request on the tunnel: a pair of half-duplex byte flows with credit-based flow
 * control. The peer's DATA is queued (at most one window) and handed out through
 * `readable`; credit goes back to the peer only as the consumer actually reads, so a reader
 * that stops stops the writer after one window. Writes wait for credit and for the
 * transport's send buffer. The session creates streams; callers never construct one.
 */
import {
  ResetCode, ProtocolError, decodeRemoteError, dataFrame, endFrame, resetFrame, windowUpdateFrame,
  type OpenHeader, type ReplyHead,
} from "../protocol/index.ts";
import { TunnelError } from "./errors.ts";
import { readReplyHead, writeReplyHead, type ReplyReader } from "./reply.ts";

/** What a stream needs from its session. */
export interface StreamHost {
  readonly maxFrame: number;
  readonly initialWindow: number;
  /** Sends a frame now (control frames and already-admitted DATA). */
  send(frame: Uint8Array): void;
  /** Whether the transport's send buffer is below the high-water mark now (no wait needed). */
  writable(): boolean;
  /** Resolves once the transport's send buffer is below the high-water mark. */
  waitWritable(): Promise<void>;
  /** The stream is done; drop it from the session's table. */
  forget(stream: Stream): void;
}

export class Stream {
  readonly id: number;
  readonly header: OpenHeader;
  /** Closed (resolved) when both sides ended or either side reset; never rejects. */
  readonly closed: Promise<void>;
  readonly #host: StreamHost;
  readonly #abort = new AbortController();
  readonly #resolveClosed: () => void;
  #writable: WritableStream<Uint8Array> | undefined;
  #readable: ReadableStream<Uint8Array> | undefined;

  #sendWindow: number;
  #creditWaiter: (() => void) | undefined;
  #writeChain: Promise<void> = Promise.resolve();

  #recvWindow: number;
  #unacked = 0;
  #queue: Uint8Array[] = [];
  #queuedBytes = 0;
  #pullWaiter: (() => void) | undefined;
  #readableDone = false;

  #localEnded = false;
  #remoteEnded = false;
  #error: TunnelError | undefined;
  #done = false;

  /** @internal Sessions create streams: `session.open()` or the `onStream` callback. */
  constructor(options: { id: number; header: OpenHeader; host: StreamHost }) {
    this.id = options.id;
    this.header = options.header;
    this.#host = options.host;
    this.#sendWindow = options.host.initialWindow;
    this.#recvWindow = options.host.initialWindow;
    let resolveClosed!: () => void;
    this.closed = new Promise((resolve) => (resolveClosed = resolve));
    this.#resolveClosed = resolveClosed;
  }

  /**
   * The peer's bytes as a web stream, made on first use (most replies are read with `read()`,
   * which costs no stream machinery). Cancelling it resets the stream (CANCELLED) unless the
   * peer already ended. Use either this or `read()`, not both.
   */
  get readable(): ReadableStream<Uint8Array> {
    // highWaterMark 0: nothing is pulled ahead of the consumer, so credit tracks real reads.
    this.#readable ??= new ReadableStream<Uint8Array>(
      {
        pull: async (controller) => {
          try {
            const chunk = await this.read();
            if (chunk) controller.enqueue(chunk);
            else controller.close();
          } catch (error) {
            controller.error(error);
          }
        },
        cancel: () => this.cancelRead(),
      },
      { highWaterMark: 0 },
    );
    return this.#readable;
  }

  /**
   * The next chunk of the peer's bytes, or `undefined` once the peer has ended; throws the
   * stream's error once it failed. Credit goes back as chunks are taken.
   */
  async read(): Promise<Uint8Array | undefined> {
    for (;;) {
      if (this.#error) {
        this.#readableDone = true;
        throw this.#error;
      }
      const chunk = this.#queue.shift();
      if (chunk) {
        this.#queuedBytes -= chunk.byteLength;
        this.#consumed(chunk.byteLength);
        return chunk;
      }
      if (this.#remoteEnded) {
        this.#readableDone = true;
        return undefined;
      }
      await new Promise<void>((resolve) => (this.#pullWaiter = resolve));
    }
  }

  /** Stops reading: what is queued is dropped, and the stream is reset (CANCELLED) unless the peer already ended. */
  cancelRead(): void {
    this.#readableDone = true;
    this.#queue = [];
    this.#queuedBytes = 0;
    if (!this.#remoteEnded) this.reset(ResetCode.CANCELLED, "reader cancelled");
  }

  /** Aborts when the stream is reset (by either side) or the session dies; `reason` is a `TunnelError`. */
  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  /** The same flow as `write`/`end` for `pipeTo`; aborting it resets the stream (CANCELLED). */
  get writable(): WritableStream<Uint8Array> {
    this.#writable ??= new WritableStream<Uint8Array>({
      write: (chunk) => this.write(chunk),
      close: () => this.end(),
      abort: () => this.reset(ResetCode.CANCELLED, "writer aborted"),
    });
    return this.#writable;
  }

  /** Bytes received and not yet read by the consumer (never more than one window). */
  get bufferedBytes(): number {
    return this.#queuedBytes;
  }

  /** Sends `chunk` as DATA frames of at most the max frame size, waiting for credit. Writes are serialised. */
  write(chunk: Uint8Array): Promise<void> {
    const run = this.#writeChain.then(() => this.#writeNow(chunk));
    this.#writeChain = run.catch(() => {});
    return run;
  }

  /** Half-closes our side after queued writes (END). Idempotent. */
  end(): Promise<void> {
    const run = this.#writeChain.then(() => {
      if (this.#error) throw this.#error;
      if (this.#localEnded) return;
      this.#localEnded = true;
      this.#host.send(endFrame(this.id));
      this.#finishIfDone();
    });
    this.#writeChain = run.catch(() => {});
    return run;
  }

  /** Aborts the stream both ways and tells the peer. No-op once the stream is done. */
  reset(code: ResetCode, message = ""): void {
    if (this.#done) return;
    this.#host.send(resetFrame(this.id, code, message));
    const reason = code === ResetCode.CANCELLED
      ? new TunnelError("CANCELLED", "stream cancelled", { resetCode: code })
      : new TunnelError("STREAM_RESET", `stream reset locally (code ${code})`, { resetCode: code });
    this.fail(reason);
  }

  /** Writes the reply head (`u32 length + JSON`) as the first bytes of the reply. */
  writeReplyHead(head: ReplyHead): Promise<void> {
    return writeReplyHead(this, head);
  }

  /** Reads the reply head from the front of `readable`; use the returned `body` afterwards, not `readable`. */
  readReplyHead(): Promise<ReplyReader> {
    return readReplyHead(this);
  }

  // ---- called by the session ----

  /** @internal DATA from the peer. Throws ProtocolError when the peer broke the rules. */
  handleData(payload: Uint8Array): void {
    if (this.#remoteEnded) throw new ProtocolError("BAD_PAYLOAD", `DATA after END on stream ${this.id}`);
    if (payload.byteLength > this.#recvWindow) {
      throw new ProtocolError("BAD_PAYLOAD", `DATA beyond credit on stream ${this.id}`);
    }
    this.#recvWindow -= payload.byteLength;
    if (payload.byteLength === 0 || this.#readableDone) return;
    this.#queue.push(payload);
    this.#queuedBytes += payload.byteLength;
    this.#wakeReader();
  }

  /** @internal WINDOW_UPDATE from the peer. */
  handleWindowUpdate(credit: number): void {
    if (this.#sendWindow + credit > 0xffff_ffff) {
      throw new ProtocolError("BAD_PAYLOAD", `window overflow on stream ${this.id}`);
    }
    this.#sendWindow += credit;
    const waiter = this.#creditWaiter;
    this.#creditWaiter = undefined;
    waiter?.();
  }

  /** @internal END from the peer. */
  handleEnd(): void {
    if (this.#remoteEnded) throw new ProtocolError("BAD_PAYLOAD", `second END on stream ${this.id}`);
    this.#remoteEnded = true;
    this.#wakeReader();
    this.#finishIfDone();
  }

  /** @internal RESET from the peer. */
  handleReset(code: number, message: string): void {
    if (code === ResetCode.CANCELLED) return this.fail(new TunnelError("CANCELLED", "stream cancelled by peer", { resetCode: code }));
    if (code === ResetCode.REFUSED) return this.fail(new TunnelError("REFUSED", `stream refused by peer: ${message}`, { resetCode: code }));
    if (code === ResetCode.APPLICATION) {
      const remote = decodeRemoteError(message);
      return this.fail(new TunnelError("STREAM_RESET", `request failed: ${remote.code}: ${remote.message}`, {
        resetCode: code, remote, retryable: remote.retryable,
      }));
    }
    this.fail(new TunnelError("STREAM_RESET", `stream reset by peer (code ${code}): ${message}`, { resetCode: code }));
  }

  /** @internal Ends the stream with `error`: aborts the signal, errors the readable, rejects writers. */
  fail(error: TunnelError): void {
    if (this.#done) return;
    this.#error = error;
    this.#done = true;
    this.#queue = [];
    this.#queuedBytes = 0;
    this.#abort.abort(error);
    this.#wakeReader();
    const waiter = this.#creditWaiter;
    this.#creditWaiter = undefined;
    waiter?.();
    this.#host.forget(this);
    this.#resolveClosed();
  }

  async #writeNow(chunk: Uint8Array): Promise<void> {
    if (this.#error) throw this.#error;
    if (this.#localEnded) throw new TunnelError("STREAM_CLOSED", "write after end");
    let offset = 0;
    while (offset < chunk.byteLength) {
      while (this.#sendWindow === 0 && !this.#error) await new Promise<void>((resolve) => (this.#creditWaiter = resolve));
      if (!this.#error && !this.#host.writable()) await this.#host.waitWritable();
      if (this.#error) throw this.#error;
      const size = Math.min(chunk.byteLength - offset, this.#sendWindow, this.#host.maxFrame);
      this.#host.send(dataFrame(this.id, chunk.subarray(offset, offset + size)));
      this.#sendWindow -= size;
      offset += size;
    }
  }

  #consumed(bytes: number) {
    this.#unacked += bytes;
    // Batching at half a window keeps WINDOW_UPDATEs rare while the writer never stalls on a full window.
    if (this.#remoteEnded || this.#done || this.#unacked < this.#host.initialWindow / 2) return;
    this.#host.send(windowUpdateFrame(this.id, this.#unacked));
    this.#recvWindow += this.#unacked;
    this.#unacked = 0;
  }

  #wakeReader() {
    const waiter = this.#pullWaiter;
    this.#pullWaiter = undefined;
    waiter?.();
  }

  #finishIfDone() {
    if (this.#done || !this.#localEnded || !this.#remoteEnded) return;
    this.#done = true;
    this.#host.forget(this);
    this.#resolveClosed();
  }
}
