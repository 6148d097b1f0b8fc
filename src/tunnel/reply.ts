/**
 * @module
 * The reply convention on a request stream (see `SPEC.md`, "Replies"): the agent writes a
 * length-prefixed JSON head, then the body. Reading takes the head off the front of the
 * stream and returns the rest as a body stream that still returns credit as it is read.
 */
import {
  ProtocolError, ResetCode, decodeReplyHead, encodeReplyHead, readReplyHeadLength, type ReplyHead,
} from "../protocol/index.ts";
import { TunnelError } from "./errors.ts";
import type { Stream } from "./stream.ts";

export interface ReplyReader {
  head: ReplyHead;
  /** The bytes after the head, up to the agent's END. */
  body: ReadableStream<Uint8Array>;
}

export function writeReplyHead(stream: Stream, head: ReplyHead): Promise<void> {
  return stream.write(encodeReplyHead(head));
}

export async function readReplyHead(stream: Stream): Promise<ReplyReader> {
  const reader = stream.readable.getReader();
  let buffer: Uint8Array = new Uint8Array(0);
  const fill = async (size: number) => {
    while (buffer.byteLength < size) {
      const { done, value } = await reader.read();
      if (done) throw new TunnelError("STREAM_CLOSED", "stream ended before its reply head");
      buffer = concat(buffer, value);
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
  let rest: Uint8Array | undefined = buffer.byteLength > 4 + length ? buffer.subarray(4 + length) : undefined;
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (rest) {
          controller.enqueue(rest);
          rest = undefined;
          return;
        }
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      },
      cancel: (reason) => reader.cancel(reason),
    },
    { highWaterMark: 0 },
  );
  return { head, body };
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.byteLength === 0) return b;
  const out = new Uint8Array(a.byteLength + b.byteLength);
  out.set(a);
  out.set(b, a.byteLength);
  return out;
}
