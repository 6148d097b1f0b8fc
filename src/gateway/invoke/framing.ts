/**
 * @module
 * How an answer body says it is complete. Bun.serve (1.4.5) frames a body with
 * Content-Length only when it knows the size itself (bytes, Blob, file); on a streamed body
 * it drops a handler-set Content-Length and sends chunked (oven-sh/bun#10507), and to an
 * HTTP/1.0 caller it sends no framing at all and ends the body by closing — which, when the
 * gateway process dies, a 1.0 caller cannot tell from the end. Bun does not tell a handler
 * which HTTP version the caller spoke (oven-sh/bun#17250), so the gateway cannot refuse 1.0
 * callers either. What it does instead:
 *
 * - an answer whose size the agent announced (a download, `content-length` in the reply
 *   head) of up to {@link FRAMED_BODY_LIMIT} bytes is gathered and sent as bytes, so Bun
 *   frames it with Content-Length for every caller; a count that differs from the
 *   announced one is an error answer, not a wrong body;
 * - a bigger announced answer streams (chunked for 1.1), carries its size in
 *   `x-outpost-content-length`, and is cut (connection reset) if the agent's byte count
 *   differs from it, so a client that checks that header always notices a short body.
 */

/** Largest announced body gathered in memory to get a Content-Length. 8 MiB. */
export const FRAMED_BODY_LIMIT = 8 * 1024 * 1024;

/** The header that carries an announced size Bun would drop on a streamed body. */
export const LENGTH_HEADER = "x-outpost-content-length";

/** The body size the agent announced in its reply head, or `undefined` when it did not. */
export function announcedLength(headers: Headers): number | undefined {
  const value = headers.get("content-length");
  if (value === null || !/^\d{1,15}$/.test(value)) return undefined;
  return Number(value);
}
