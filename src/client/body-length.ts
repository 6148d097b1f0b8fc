/**
 * @module
 * A download checks its own length. The gateway names the size of every answer whose size
 * the agent knows in `x-outpost-content-length` (Bun sends big streamed bodies chunked and
 * drops Content-Length), so the client counts the bytes and fails a body that ends short of
 * it or runs past it — whatever the connection in between did — instead of returning a
 * truncated file as if it were whole.
 */
import { CLIENT_CODES, OutpostError } from "./errors.ts";

/** `response.body`, erroring with STREAM_BROKEN when its byte count differs from the announced one. */
export function lengthChecked(response: Response, body: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  const announced = response.headers.get("x-outpost-content-length") ?? response.headers.get("content-length");
  if (announced === null || !/^\d{1,15}$/.test(announced)) return body;
  const expected = Number(announced);
  const requestId = response.headers.get("x-request-id") ?? undefined;
  const broken = (got: string) =>
    new OutpostError(CLIENT_CODES.STREAM_BROKEN, `the download was cut: ${got} of ${expected} announced bytes arrived`, { requestId, status: response.status });
  let seen = 0;
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        seen += chunk.byteLength;
        if (seen > expected) throw broken(`more than ${seen}`);
        controller.enqueue(chunk);
      },
      flush() {
        if (seen !== expected) throw broken(String(seen));
      },
    }),
  );
}
