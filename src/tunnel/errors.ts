/**
 * @module
 * The tunnel's one error type. Every failure a stream or session reports — in a rejected
 * write, an errored readable, an aborted `signal.reason`, `onClose` — is a `TunnelError`
 * with a stable code; `retryable` tells the caller whether the same request may be tried
 * again (on another stream or agent).
 */
import type { RemoteError } from "../protocol/index.ts";

export const TunnelErrorCode = {
  /** The peer reset the stream with a code other than CANCELLED or REFUSED. */
  STREAM_RESET: "STREAM_RESET",
  /** The stream was cancelled, by us or by the peer (RESET CANCELLED). */
  CANCELLED: "CANCELLED",
  /** The peer refused the stream before doing any work; safe to retry elsewhere. */
  REFUSED: "REFUSED",
  /** Writing after `end()`, or reading a reply from a stream that ended early. */
  STREAM_CLOSED: "STREAM_CLOSED",
  /** The session ended (transport closed, or `close()` was called). */
  SESSION_CLOSED: "SESSION_CLOSED",
  /** The session is going away; no new streams. */
  GOING_AWAY: "GOING_AWAY",
  /** The peer broke the protocol. */
  PROTOCOL_ERROR: "PROTOCOL_ERROR",
  /** No frame arrived for the keepalive timeout. */
  LINK_DEAD: "LINK_DEAD",
  /** A request's header (its arguments) does not fit in one OPEN frame; nothing was sent. */
  HEADER_TOO_LARGE: "HEADER_TOO_LARGE",
  /** The WebSocket could not be opened. */
  CONNECT_FAILED: "CONNECT_FAILED",
  /** The handshake failed: malformed, timed out, or refused with a close code. */
  HANDSHAKE_FAILED: "HANDSHAKE_FAILED",
} as const;
export type TunnelErrorCode = (typeof TunnelErrorCode)[keyof typeof TunnelErrorCode];

const RETRYABLE_BY_DEFAULT: ReadonlySet<TunnelErrorCode> = new Set([
  "REFUSED", "SESSION_CLOSED", "GOING_AWAY", "LINK_DEAD", "CONNECT_FAILED",
]);

export interface TunnelErrorOptions {
  retryable?: boolean;
  cause?: unknown;
  /** The RESET code the peer (or we) sent, for stream resets. */
  resetCode?: number;
  /** The WebSocket close code, for handshake refusals and transport closes. */
  closeCode?: number;
  /** The agent's error, for APPLICATION resets. */
  remote?: RemoteError;
}

export class TunnelError extends Error {
  override readonly name = "TunnelError";
  readonly code: TunnelErrorCode;
  readonly retryable: boolean;
  readonly resetCode?: number;
  readonly closeCode?: number;
  readonly remote?: RemoteError;

  constructor(code: TunnelErrorCode, message: string, options: TunnelErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.code = code;
    this.retryable = options.retryable ?? RETRYABLE_BY_DEFAULT.has(code);
    this.resetCode = options.resetCode;
    this.closeCode = options.closeCode;
    this.remote = options.remote;
  }
}

export function isTunnelError(error: unknown): error is TunnelError {
  return error instanceof TunnelError;
}
