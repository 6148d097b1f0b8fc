/**
 * @module
 * Small JSON answers leave in one write. Streamed through a `Response`, every chunk the
 * agent sent becomes its own chunked-encoding piece — size line, data and CRLF each a TLS
 * record and a syscall, about eight per small query — which made the gateway's own send
 * path its largest cost. A JSON answer is useless to a caller until complete, so holding
 * up to {@link SMALL_BODY_LIMIT} bytes delays nothing; a bigger one streams on from where
 * the gathering stopped (`ReplyBody.gather` keeps what it read). The router gathers the
 * same amount of an idempotent reply before committing to it, so that a failure there can
 * still be retried on another agent: the handler's gathering then only continues it.
 */

/** Bytes of a reply gathered at most before it streams. 64 KiB. */
export const SMALL_BODY_LIMIT = 64 * 1024;
