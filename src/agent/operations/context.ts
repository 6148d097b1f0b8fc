/** @module What every operation handler gets besides its connector, args and reply. */
import type { CallContext } from "../../connectors/connector.ts";
import { ConnectorError } from "../../connectors/errors.ts";
import type { Stream } from "../../tunnel/index.ts";

export interface OperationContext {
  ctx: CallContext;
  /** The request stream; read its body with `requestBody()`, not `stream.readable`. */
  stream: Stream;
  /** `agent.max_request_size` for bodies that are not uploads (forwarded HTTP, extensions). */
  bodyLimit?: BodyLimit;
}

/** A cap on one request body; `exceeded` is set once the body passed it. */
export interface BodyLimit {
  maxBytes: number;
  exceeded?: ConnectorError;
}

/**
 * The request body (an upload, a forwarded HTTP body) as a connector sees it. A connector
 * that gives up mid-way (disk full, an upstream that answered early) cancels its body;
 * cancelling the stream's own `readable` would RESET the stream, and the error head would
 * never reach the caller (who saw a misleading TIMEOUT). Here cancel only stops reading:
 * the reply goes out, and the gateway, reading it, stops sending. Past `limit` the body
 * errors and `limit.exceeded` records why, so the dispatcher answers TOO_LARGE rather
 * than whatever the connector made of a broken body.
 */
export function requestBody(stream: Stream, limit?: BodyLimit): ReadableStream<Uint8Array> {
  const reader = stream.readable.getReader();
  let size = 0;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const next = await reader.read();
        if (next.done) return controller.close();
        size += next.value.byteLength;
        if (limit && size > limit.maxBytes) {
          limit.exceeded = new ConnectorError("TOO_LARGE", `the request body is larger than ${limit.maxBytes} bytes (agent.max_request_size)`);
          reader.releaseLock();
          return controller.error(limit.exceeded);
        }
        controller.enqueue(next.value);
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
