/**
 * @module
 * Encoding and decoding of frames. `decodeFrame` is total: any byte sequence either yields
 * a `Frame` or throws a `ProtocolError`; it checks the declared length against the
 * negotiated maximum before it looks at (or copies) the payload, and the payload it
 * returns is a view, so decoding never allocates more than the header's worth.
 */
import { ProtocolError } from "./errors.ts";
import {
  DEFAULT_MAX_FRAME,
  FrameFlag,
  FrameType,
  HEADER_SIZE,
  PROTOCOL_VERSION,
  type Frame,
  type GoAwayCode,
  type ResetCode,
} from "./frame.ts";

const utf8 = new TextEncoder();
// Not fatal: a peer's garbled message text is shown with replacement characters, not rejected.
const utf8Lenient = new TextDecoder("utf-8", { fatal: false });

const EMPTY = new Uint8Array(0);

/** Types whose frames belong to a stream (id ≠ 0); the rest are session frames on id 0. */
const STREAM_TYPES: ReadonlySet<number> = new Set([
  FrameType.OPEN, FrameType.DATA, FrameType.WINDOW_UPDATE, FrameType.END, FrameType.RESET,
]);
const KNOWN_TYPES: ReadonlySet<number> = new Set(Object.values(FrameType));

/** Serialises one frame: header then payload, in one new buffer. */
export function encodeFrame(frame: Frame): Uint8Array {
  const length = frame.payload.byteLength;
  const bytes = new Uint8Array(HEADER_SIZE + length);
  const view = new DataView(bytes.buffer);
  view.setUint8(0, PROTOCOL_VERSION);
  view.setUint8(1, frame.type);
  view.setUint16(2, frame.flags);
  view.setUint32(4, frame.streamId);
  view.setUint32(8, length);
  bytes.set(frame.payload, HEADER_SIZE);
  return bytes;
}

export interface DecodeOptions {
  /** Largest payload accepted. Defaults to `DEFAULT_MAX_FRAME` (64 KiB). */
  maxPayload?: number;
}

/** Parses one whole WebSocket message as one frame, or throws `ProtocolError`. */
export function decodeFrame(bytes: Uint8Array, options: DecodeOptions = {}): Frame {
  const maxPayload = options.maxPayload ?? DEFAULT_MAX_FRAME;
  if (bytes.byteLength < HEADER_SIZE) {
    throw new ProtocolError("TRUNCATED", `frame of ${bytes.byteLength} bytes is shorter than its header`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint8(0);
  if (version !== PROTOCOL_VERSION) throw new ProtocolError("BAD_VERSION", `frame version ${version} is not supported`);
  const type = view.getUint8(1);
  if (!KNOWN_TYPES.has(type)) throw new ProtocolError("UNKNOWN_TYPE", `unknown frame type ${type}`);
  const flags = view.getUint16(2);
  const streamId = view.getUint32(4);
  const length = view.getUint32(8);
  if (length > maxPayload) {
    throw new ProtocolError("FRAME_TOO_LARGE", `frame payload of ${length} bytes exceeds the maximum of ${maxPayload}`);
  }
  if (length !== bytes.byteLength - HEADER_SIZE) {
    throw new ProtocolError("LENGTH_MISMATCH", `frame declares ${length} payload bytes but carries ${bytes.byteLength - HEADER_SIZE}`);
  }
  const isStreamType = STREAM_TYPES.has(type);
  if (isStreamType !== (streamId !== 0)) {
    throw new ProtocolError("BAD_STREAM_ID", `frame type ${type} cannot use stream id ${streamId}`);
  }
  checkPayloadSize(type as FrameType, length);
  return { type: type as FrameType, flags, streamId, payload: bytes.subarray(HEADER_SIZE) };
}

/**
 * Splits one WebSocket message into its frames: a sender may batch several whole frames
 * into one message (SPEC "Messages"). Total like `decodeFrame`: a frame that runs past the
 * end of the message, or any bad frame, throws `ProtocolError`; nothing is copied.
 */
export function decodeFrames(bytes: Uint8Array, options: DecodeOptions = {}): Frame[] {
  const maxPayload = options.maxPayload ?? DEFAULT_MAX_FRAME;
  const frames: Frame[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 0;
  do {
    if (bytes.byteLength - offset < HEADER_SIZE) {
      throw new ProtocolError("TRUNCATED", `${bytes.byteLength - offset} bytes at the end of a message are shorter than a frame header`);
    }
    const length = view.getUint32(offset + 8);
    if (length > maxPayload) {
      throw new ProtocolError("FRAME_TOO_LARGE", `frame payload of ${length} bytes exceeds the maximum of ${maxPayload}`);
    }
    const end = offset + HEADER_SIZE + length;
    if (end > bytes.byteLength) {
      throw new ProtocolError("LENGTH_MISMATCH", `frame declares ${length} payload bytes but the message holds ${bytes.byteLength - offset - HEADER_SIZE}`);
    }
    frames.push(decodeFrame(bytes.subarray(offset, end), options));
    offset = end;
  } while (offset < bytes.byteLength);
  return frames;
}

function checkPayloadSize(type: FrameType, length: number) {
  const fixed =
    type === FrameType.WINDOW_UPDATE ? 4 : type === FrameType.END ? 0 : type === FrameType.PING ? 8 : undefined;
  if (fixed !== undefined && length !== fixed) {
    throw new ProtocolError("BAD_PAYLOAD", `frame type ${type} needs a ${fixed}-byte payload, got ${length}`);
  }
  if ((type === FrameType.RESET || type === FrameType.GO_AWAY) && length < 4) {
    throw new ProtocolError("BAD_PAYLOAD", `frame type ${type} needs at least a 4-byte code`);
  }
}

// ---- builders: encode a frame of one type in one step ----

export function dataFrame(streamId: number, data: Uint8Array): Uint8Array {
  return encodeFrame({ type: FrameType.DATA, flags: 0, streamId, payload: data });
}

export function endFrame(streamId: number): Uint8Array {
  return encodeFrame({ type: FrameType.END, flags: 0, streamId, payload: EMPTY });
}

export function windowUpdateFrame(streamId: number, credit: number): Uint8Array {
  return encodeFrame({ type: FrameType.WINDOW_UPDATE, flags: 0, streamId, payload: u32(credit) });
}

export function resetFrame(streamId: number, code: ResetCode, message = ""): Uint8Array {
  return encodeFrame({ type: FrameType.RESET, flags: 0, streamId, payload: codeAndMessage(code, message) });
}

export function goAwayFrame(code: GoAwayCode, message = ""): Uint8Array {
  return encodeFrame({ type: FrameType.GO_AWAY, flags: 0, streamId: 0, payload: codeAndMessage(code, message) });
}

/** A probe (`ack` false) or its answer (`ack` true); `opaque` must be 8 bytes. */
export function pingFrame(opaque: Uint8Array, ack: boolean): Uint8Array {
  return encodeFrame({ type: FrameType.PING, flags: ack ? FrameFlag.ACK : 0, streamId: 0, payload: opaque });
}

/** Largest message text put in RESET / GO_AWAY, so a control frame always fits one frame. */
export const MAX_CONTROL_MESSAGE = 512;

function codeAndMessage(code: number, message: string): Uint8Array {
  const text = utf8.encode(message.length > MAX_CONTROL_MESSAGE ? message.slice(0, MAX_CONTROL_MESSAGE) : message);
  const payload = new Uint8Array(4 + text.byteLength);
  new DataView(payload.buffer).setUint32(0, code);
  payload.set(text, 4);
  return payload;
}

function u32(value: number): Uint8Array {
  const payload = new Uint8Array(4);
  new DataView(payload.buffer).setUint32(0, value);
  return payload;
}

// ---- readers: payloads of frames `decodeFrame` already checked ----

/** The credit of a WINDOW_UPDATE payload. */
export function readCredit(payload: Uint8Array): number {
  return new DataView(payload.buffer, payload.byteOffset, payload.byteLength).getUint32(0);
}

/** The code and text of a RESET or GO_AWAY payload (unknown codes are passed through). */
export function readCodeAndMessage(payload: Uint8Array): { code: number; message: string } {
  const code = new DataView(payload.buffer, payload.byteOffset, payload.byteLength).getUint32(0);
  return { code, message: utf8Lenient.decode(payload.subarray(4)) };
}
