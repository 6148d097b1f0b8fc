/**
 * @module
 * The messages carried inside streams: the open header the gateway sends with OPEN, the
 * reply head the agent writes first on every stream (u32 length + JSON), and the JSON
 * error a RESET with code APPLICATION carries. Decoders validate shapes totally.
 */
import { ProtocolError } from "./errors.ts";
import {
  asObject, booleanField, encodeJson, integerField, objectField, parseJsonObject, stringField, type JsonObject,
} from "./json.ts";

/** What the gateway asks for; the payload of OPEN. */
export interface OpenHeader {
  /** Operation, e.g. `db.query`, `files.read`, `http.request`. */
  op: string;
  /** Name of the agent profile that serves it. */
  profile: string;
  /** Operation arguments; shape defined by the op. */
  args: Record<string, unknown>;
  /** Correlates logs across gateway and agent. */
  requestId: string;
  /** Unix epoch milliseconds after which the agent should give up. */
  deadline: number;
}

/** A failure the agent reports, in a reply head or an APPLICATION reset. */
export interface RemoteError {
  code: string;
  message: string;
  retryable: boolean;
}

/** First thing on every reply: success (with optional metadata) or an error. */
export type ReplyHead = { ok: true; meta?: Record<string, unknown> } | { ok: false; error: RemoteError };

/** Largest reply head JSON, in bytes. */
export const MAX_REPLY_HEAD = 64 * 1024;

export function encodeOpenHeader(header: OpenHeader): Uint8Array {
  return encodeJson(header);
}

export function decodeOpenHeader(payload: Uint8Array): OpenHeader {
  const what = "open header";
  const object = parseJsonObject(payload, what);
  return {
    op: stringField(object, "op", what),
    profile: stringField(object, "profile", what),
    args: objectField(object, "args", what),
    requestId: stringField(object, "requestId", what),
    deadline: integerField(object, "deadline", what),
  };
}

/** The reply head as it goes on the stream: u32 big-endian length, then the JSON. */
export function encodeReplyHead(head: ReplyHead): Uint8Array {
  const json = encodeJson(head);
  if (json.byteLength > MAX_REPLY_HEAD) {
    throw new ProtocolError("HEAD_TOO_LARGE", `reply head of ${json.byteLength} bytes exceeds ${MAX_REPLY_HEAD}`);
  }
  const bytes = new Uint8Array(4 + json.byteLength);
  new DataView(bytes.buffer).setUint32(0, json.byteLength);
  bytes.set(json, 4);
  return bytes;
}

/** Reads the length prefix of a reply head; rejects lengths over `MAX_REPLY_HEAD` before any buffering. */
export function readReplyHeadLength(prefix: Uint8Array): number {
  if (prefix.byteLength < 4) throw new ProtocolError("TRUNCATED", "reply head length needs 4 bytes");
  const length = new DataView(prefix.buffer, prefix.byteOffset, 4).getUint32(0);
  if (length > MAX_REPLY_HEAD) {
    throw new ProtocolError("HEAD_TOO_LARGE", `reply head of ${length} bytes exceeds ${MAX_REPLY_HEAD}`);
  }
  return length;
}

/** Decodes the JSON part of a reply head (without its length prefix). */
export function decodeReplyHead(json: Uint8Array): ReplyHead {
  const what = "reply head";
  const object = parseJsonObject(json, what);
  if (booleanField(object, "ok", what)) {
    if (object.meta === undefined) return { ok: true };
    return { ok: true, meta: objectField(object, "meta", what) };
  }
  return { ok: false, error: remoteErrorFrom(objectField(object, "error", what), `${what}.error`) };
}

export function encodeRemoteError(error: RemoteError): string {
  return JSON.stringify({ code: error.code, message: error.message, retryable: error.retryable });
}

/** Parses the message of an APPLICATION reset; text that is not such JSON becomes an `INTERNAL` error. */
export function decodeRemoteError(message: string): RemoteError {
  try {
    return remoteErrorFrom(asObject(JSON.parse(message), "error"), "error");
  } catch {
    return { code: "INTERNAL", message, retryable: false };
  }
}

function remoteErrorFrom(object: JsonObject, what: string): RemoteError {
  return {
    code: stringField(object, "code", what),
    message: stringField(object, "message", what),
    retryable: booleanField(object, "retryable", what),
  };
}
