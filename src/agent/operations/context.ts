/** @module What every operation handler gets besides its connector, args and reply. */
import type { CallContext } from "../../connectors/connector.ts";
import type { Stream } from "../../tunnel/index.ts";

export interface OperationContext {
  ctx: CallContext;
  /** The request stream; read its body with `requestBody()`, not `stream.readable`. */
  stream: Stream;
}

/**
 * The request body (an upload, a forwarded HTTP body) as a connector sees it. A connector
 * that gives up mid-way (disk full, an upstream that answered early) cancels its body;
 * cancelling the stream's own `readable` would RESET the stream, and the error head would
 * never reach the caller (who saw a misleading TIMEOUT). Here cancel only stops reading:
 * the reply goes out, and the gateway, reading it, stops sending.
 */
export function requestBody(stream: Stream): ReadableStream<Uint8Array> {
  const reader = stream.readable.getReader();
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const next = await reader.read();
        if (next.done) controller.close();
        else controller.enqueue(next.value);
      },
      cancel() {
        try {
          reader.releaseLock();
        } catch {
          // A read still pending keeps the lock; nothing more is read either way.
        }
      },
    },
    { highWaterMark: 0 },
  );
}
