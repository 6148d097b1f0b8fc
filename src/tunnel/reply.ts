/**
 * @module
 * The reply convention on a request stream (see `SPEC.md`, "Replies"): the agent writes a
 * length-prefixed JSON head, then the body. Reading takes the head off the front of the
 * stream and returns the rest as a {@link ReplyBody}: chunks read straight off the stream
 * (credit goes back as they are taken), which can be gathered ahead — once, whoever asks —
 * and replayed, and turned into a web stream only when an answer really streams.
 */
import {
  ProtocolError, ResetCode, decodeReplyHead, encodeReplyHead, readReplyHeadLength, type ReplyHead,
} from "../protocol/index.ts";
import { TunnelError } from "./errors.ts";
import type { Stream } from "./stream.ts";

export interface ReplyReader {
  head: ReplyHead;
  /** The bytes after the head, up to the agent's END. */
  body: ReplyBody;
}

/** What `ReplyBody.gather` found: the whole body, or that it is longer than the limit. */
export type Gathered = { complete: Uint8Array } | { longer: true };

/**
 * A reply's body. `gather(limit)` reads ahead until the body ends or holds more than
 * `limit` bytes; what it read stays in the body, so `read()` and `stream()` hand out every
 * byte in order whatever was gathered before. The router gathers an idempotent reply so
 * that a failure there can still be retried; the invoke handler gathers to send small
 * answers whole: the second gather only continues the first.
 */
export class ReplyBody {
  readonly #stream: Stream;
  /** Read off the stream and not handed out yet. */
  #held: Uint8Array[];
  #heldBytes: number;
  #ended = false;

  constructor(stream: Stream, prefix?: Uint8Array) {
    this.#stream = stream;
    this.#held = prefix ? [prefix] : [];
    this.#heldBytes = prefix?.byteLength ?? 0;
  }

  /** Reads until the body ends or more than `limit` bytes are held; throws the stream's error. */
  async gather(limit: number): Promise<Gathered> {
    while (!this.#ended && this.#heldBytes <= limit) {
      const chunk = await this.#stream.read();
      if (!chunk) this.#ended = true;
      else {
        this.#held.push(chunk);
        this.#heldBytes += chunk.byteLength;
      }
    }
    if (!this.#ended || this.#heldBytes > limit) return { longer: true };
    const complete = join(this.#held, this.#heldBytes);
    this.#held = [complete];
    return { complete };
  }

  /** The next chunk, or `undefined` at the end; throws the stream's error. */
  async read(): Promise<Uint8Array | undefined> {
    const held = this.#held.shift();
    if (held) {
      this.#heldBytes -= held.byteLength;
      return held;
    }
    return this.#ended ? undefined : this.#stream.read();
  }

  /** Drops the rest; the stream is reset (CANCELLED) unless the agent already ended it. */
  cancel(): void {
    this.#held = [];
    this.#heldBytes = 0;
    this.#stream.cancelRead();
  }

  /** The rest as a web stream (pulled only as its reader reads); `count` hears each chunk's size. */
  stream(count: (bytes: number) => void = () => {}): ReadableStream<Uint8Array> {
    return new ReadableStream<Uint8Array>(
      {
        pull: async (controller) => {
          const chunk = await this.read();
          if (!chunk) return controller.close();
          count(chunk.byteLength);
          controller.enqueue(chunk);
        },
        cancel: () => this.cancel(),
      },
      { highWaterMark: 0 },
    );
  }
}

export function writeReplyHead(stream: Stream, head: ReplyHead): Promise<void> {
  return stream.write(encodeReplyHead(head));
}

export async function readReplyHead(stream: Stream): Promise<ReplyReader> {
  let buffer: Uint8Array = new Uint8Array(0);
  const fill = async (size: number) => {
    while (buffer.byteLength < size) {
      const chunk = await stream.read();
      if (!chunk) throw new TunnelError("STREAM_CLOSED", "stream ended before its reply head");
      buffer = buffer.byteLength === 0 ? chunk : join([buffer, chunk], buffer.byteLength + chunk.byteLength);
    }
  };
  let head: ReplyHead;
  let length: number;
  try {
    await fill(4);
    length = readReplyHeadLength(buffer);
    await fill(4 + length);
    head = decodeReplyHead(buffer.subarray(4, 4 + length));
  } catch (error) {
    if (!(error instanceof ProtocolError)) throw error;
    stream.reset(ResetCode.PROTOCOL_ERROR, "bad reply head");
    throw new TunnelError("PROTOCOL_ERROR", `bad reply head: ${error.message}`, { cause: error });
  }
  const rest = buffer.byteLength > 4 + length ? buffer.subarray(4 + length) : undefined;
  return { head, body: new ReplyBody(stream, rest) };
}

function join(chunks: Uint8Array[], size: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}
