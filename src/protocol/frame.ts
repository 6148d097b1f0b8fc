/**
 * @module
 * The frame: a fixed 12-byte big-endian header and a payload, one per WebSocket message
 * (see `SPEC.md`). This file holds the numbers of the wire format — versions, types,
 * flags, reset and go-away codes, limits — as const objects, one doc line each.
 */

/** Bytes of the fixed header: version u8, type u8, flags u16, stream id u32, length u32. */
export const HEADER_SIZE = 12;

/** The frame-layout version this build writes; the only one it reads. */
export const PROTOCOL_VERSION = 1;
/** Session protocol versions this build can negotiate in HELLO. */
export const SUPPORTED_VERSIONS: readonly number[] = [1];

/** Default largest payload a frame may carry; HELLO may negotiate another. */
export const DEFAULT_MAX_FRAME = 64 * 1024;
/** Smallest and largest maximum a HELLO may negotiate. */
export const MIN_MAX_FRAME = 1024;
export const MAX_MAX_FRAME = 16 * 1024 * 1024;
/** Default per-stream credit, in bytes, in each direction. */
export const DEFAULT_INITIAL_WINDOW = 256 * 1024;
/** Largest stream id; a gateway that reaches it goes away and the agent reconnects. */
export const MAX_STREAM_ID = 0xffff_ffff;

export const FrameType = {
  /** Handshake message (JSON), stream 0, only before the session starts. */
  HELLO: 0,
  /** Opens a stream; payload is the JSON open header. Gateway → agent only. */
  OPEN: 1,
  /** Stream bytes; counts against the receiver's window. */
  DATA: 2,
  /** Grants the sender more credit: payload is a u32 byte count. */
  WINDOW_UPDATE: 3,
  /** Half-close: the sender writes no more DATA on this stream. Empty payload. */
  END: 4,
  /** Aborts the stream both ways: u32 reset code, then a UTF-8 message. */
  RESET: 5,
  /** Liveness probe on stream 0: 8 opaque bytes, echoed back with the ACK flag. */
  PING: 6,
  /** Session ends for new streams: u32 go-away code, then a UTF-8 message. Stream 0. */
  GO_AWAY: 7,
} as const;
export type FrameType = (typeof FrameType)[keyof typeof FrameType];

export const FrameFlag = {
  /** On PING: this is the answer (a pong) carrying the probe's bytes. */
  ACK: 0x0001,
} as const;

export const ResetCode = {
  /** The opener no longer wants the answer (caller went away, deadline passed). */
  CANCELLED: 1,
  /** The receiver would not take the stream (going away, too many streams); safe to retry elsewhere. */
  REFUSED: 2,
  /** The stream broke the protocol (bad open header, bad reply head). */
  PROTOCOL_ERROR: 3,
  /** The sender exceeded the credit it was given. */
  FLOW_CONTROL: 4,
  /** The request failed after its reply head; the message is JSON `{code, message, retryable}`. */
  APPLICATION: 5,
  /** An unexpected failure inside the peer. */
  INTERNAL: 6,
} as const;
export type ResetCode = (typeof ResetCode)[keyof typeof ResetCode];

export const GoAwayCode = {
  /** Orderly shutdown; reconnect at once (to another node if there is one). */
  NORMAL: 0,
  /** The sender is restarting or upgrading; reconnect at once. */
  RESTARTING: 1,
  /** The receiver of this frame broke the protocol; the sender closes the connection. */
  PROTOCOL_ERROR: 2,
  /** An administrator or policy ended the session (agent disabled, removed). */
  POLICY: 3,
  /** An unexpected failure inside the sender. */
  INTERNAL: 4,
} as const;
export type GoAwayCode = (typeof GoAwayCode)[keyof typeof GoAwayCode];

/** WebSocket close codes the gateway uses to refuse a handshake (see `SPEC.md`). */
export const CloseCode = {
  /** Clean close after GO_AWAY or when a side shuts down. */
  NORMAL: 1000,
  /** The peer broke the protocol after the handshake. */
  PROTOCOL_ERROR: 1002,
  /** The session ended on an internal error or a dead link. */
  INTERNAL: 1011,
  /** Malformed handshake or handshake timeout. */
  HANDSHAKE_FAILED: 4000,
  /** No agent with this id is registered. */
  UNKNOWN_AGENT: 4001,
  /** The agent exists but is disabled. */
  DISABLED: 4003,
  /** The agent was removed or its key revoked. */
  REVOKED: 4004,
  /** The signature does not verify against the agent's registered key. */
  BAD_SIGNATURE: 4005,
  /** The agent's source address is not allowed. */
  ADDRESS_NOT_ALLOWED: 4006,
  /** Another connection with this agent id is live and was kept. */
  DUPLICATE_CONNECTION: 4009,
  /** No protocol version in common. */
  UNSUPPORTED_VERSION: 4010,
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

/**
 * Refusals that retrying with the same identity and binary cannot fix: someone must act
 * (re-activate, restore the key, upgrade). The handshake marks them not retryable and the
 * agent's supervisor retries them slowly (SPEC.md "Close codes"); one list for both.
 */
export const FINAL_CLOSE_CODES: ReadonlySet<number> = new Set([
  CloseCode.UNKNOWN_AGENT, CloseCode.REVOKED, CloseCode.BAD_SIGNATURE, CloseCode.UNSUPPORTED_VERSION,
]);

/** One decoded frame. `payload` may be a view into the received message. */
export interface Frame {
  type: FrameType;
  flags: number;
  streamId: number;
  payload: Uint8Array;
}
