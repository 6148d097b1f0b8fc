/**
 * @module
 * The one error the protocol layer throws. Decoding is total: any byte sequence either
 * decodes or fails with a `ProtocolError` carrying one of the codes below, never another
 * exception. A protocol error means the peer broke the wire contract, so it is never
 * retryable on the same session.
 */

/** Every way a frame or message can be malformed, one line each. */
export const ProtocolErrorCode = {
  /** Fewer bytes than a frame header, or than a fixed-size payload needs. */
  TRUNCATED: "TRUNCATED",
  /** The header's version byte is not one this build speaks. */
  BAD_VERSION: "BAD_VERSION",
  /** The header's type byte names no frame type. */
  UNKNOWN_TYPE: "UNKNOWN_TYPE",
  /** The declared payload length exceeds the negotiated maximum. */
  FRAME_TOO_LARGE: "FRAME_TOO_LARGE",
  /** The declared payload length differs from the bytes that follow the header. */
  LENGTH_MISMATCH: "LENGTH_MISMATCH",
  /** A session frame on a stream id, or a stream frame on id 0. */
  BAD_STREAM_ID: "BAD_STREAM_ID",
  /** A payload whose size or content does not fit its frame type. */
  BAD_PAYLOAD: "BAD_PAYLOAD",
  /** A JSON payload that is not valid UTF-8 JSON. */
  BAD_JSON: "BAD_JSON",
  /** Valid JSON whose shape is not the message it should be. */
  BAD_MESSAGE: "BAD_MESSAGE",
  /** A reply head longer than `MAX_REPLY_HEAD`. */
  HEAD_TOO_LARGE: "HEAD_TOO_LARGE",
} as const;
export type ProtocolErrorCode = (typeof ProtocolErrorCode)[keyof typeof ProtocolErrorCode];

export class ProtocolError extends Error {
  override readonly name = "ProtocolError";
  readonly code: ProtocolErrorCode;
  /** Always false: retrying the same bytes cannot help. */
  readonly retryable = false;

  constructor(code: ProtocolErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.code = code;
  }
}
