/**
 * @module
 * The HELLO exchange that opens every connection (see "Protocol flow" in `SPEC.md`):
 * gateway `hello` → agent `auth` → gateway `ok`, each one HELLO frame on stream 0 with a
 * JSON payload, and the signed transcript that binds the agent's key to this challenge,
 * this gateway host and this agent id.
 */
import { ProtocolError } from "./errors.ts";
import { encodeFrame } from "./codec.ts";
import { FrameType, MAX_MAX_FRAME, MIN_MAX_FRAME } from "./frame.ts";
import {
  arrayField, asObject, encodeJson, integerField, objectField, parseJsonObject, stringField, type JsonObject,
} from "./json.ts";

/** Bytes of random challenge the gateway sends. */
export const CHALLENGE_SIZE = 32;
/** Domain separator that starts every signed transcript. */
export const AUTH_DOMAIN = "outpost-auth-v1";

/** Gateway → agent, first frame after the WebSocket opens. */
export interface GatewayHello {
  kind: "hello";
  /** Session protocol versions the gateway speaks. */
  versions: number[];
  /** 32 random bytes, base64; fresh for every connection. */
  challenge: string;
  /** Largest frame payload the gateway accepts. */
  maxFrame: number;
}

export interface ProfileSummary {
  name: string;
  kind: string;
  /** Hash of the profile's non-secret settings, so the gateway can spot drift. */
  hash: string;
  /** Whether the profile's target answers, as the agent last found it; absent before its first check (and from older agents). */
  health?: ProfileHealth;
}

/** Longest `ProfileHealth.reason` a gateway accepts; agents cut theirs to it. */
export const MAX_HEALTH_REASON = 200;

/** A profile's health: `failing` with a short reason (an error code and the caller-facing message, never a secret). */
export interface ProfileHealth {
  status: "ok" | "failing";
  reason?: string;
}

/** What the agent tells about itself; shown by the gateway, never trusted for auth. */
export interface AgentInfo {
  version: string;
  hostname: string;
  pid: number;
  user: string;
  os: string;
  arch: string;
  profiles: ProfileSummary[];
}

/** Agent → gateway: the chosen version and proof of the agent's key. */
export interface AgentAuth {
  kind: "auth";
  version: number;
  agentId: string;
  /** Host (with port if not default) of the gateway URL the agent dialled; part of the transcript. */
  host: string;
  /** The agent's Ed25519 public key, base64. */
  publicKey: string;
  /** Signature over `authTranscript(challenge, host, agentId)`, base64. */
  signature: string;
  /** Largest frame payload the agent accepts. */
  maxFrame: number;
  info: AgentInfo;
  /**
   * The `sessionId` of this agent's live session that this connection replaces
   * (make-before-break: a reload or key rotation dials the new session first). The gateway
   * then lets it in despite that session being live, and sends the old one GO_AWAY NORMAL.
   * Optional; a gateway that does not know the field refuses with 4009 as before.
   */
  replaces?: string;
}

/** Gateway → agent: the session starts; the agent applies these settings. */
export interface HelloOk {
  kind: "ok";
  sessionId: string;
  version: number;
  /** Negotiated maximum payload, used in both directions: min of both offers. */
  maxFrame: number;
  keepalive: { intervalMs: number; timeoutMs: number };
  /** The gateway's clock (epoch ms) when it sent this: open headers carry gateway-time deadlines. */
  time: number;
}

export type HelloMessage = GatewayHello | AgentAuth | HelloOk;

export function encodeHello(message: HelloMessage): Uint8Array {
  return encodeFrame({ type: FrameType.HELLO, flags: 0, streamId: 0, payload: encodeJson(message) });
}

/** Decodes a HELLO payload into one of the three messages, validating every field. */
export function decodeHello(payload: Uint8Array): HelloMessage {
  const object = parseJsonObject(payload, "hello");
  const kind = stringField(object, "kind", "hello");
  if (kind === "hello") return decodeGatewayHello(object);
  if (kind === "auth") return decodeAgentAuth(object);
  if (kind === "ok") return decodeHelloOk(object);
  throw new ProtocolError("BAD_MESSAGE", `unknown hello kind ${JSON.stringify(kind.slice(0, 40))}`);
}

function decodeGatewayHello(object: JsonObject): GatewayHello {
  const what = "hello";
  const versions = arrayField(object, "versions", what);
  if (!versions.every((v) => Number.isInteger(v) && (v as number) > 0 && (v as number) < 256)) {
    throw new ProtocolError("BAD_MESSAGE", "hello.versions must be integers from 1 to 255");
  }
  const challenge = stringField(object, "challenge", what);
  if (decodeBase64(challenge).byteLength !== CHALLENGE_SIZE) {
    throw new ProtocolError("BAD_MESSAGE", `hello.challenge must be ${CHALLENGE_SIZE} bytes of base64`);
  }
  return { kind: "hello", versions: versions as number[], challenge, maxFrame: maxFrameField(object, what) };
}

function decodeAgentAuth(object: JsonObject): AgentAuth {
  const what = "auth";
  const info = objectField(object, "info", what);
  const replaces = object.replaces === undefined ? undefined : stringField(object, "replaces", what);
  const profiles = arrayField(info, "profiles", "auth.info").map((item, i) => {
    const profile = asObject(item, `auth.info.profiles[${i}]`);
    const at = `auth.info.profiles[${i}]`;
    const summary: ProfileSummary = { name: stringField(profile, "name", at), kind: stringField(profile, "kind", at), hash: stringField(profile, "hash", at) };
    if (profile.health !== undefined) summary.health = decodeProfileHealth(asObject(profile.health, `${at}.health`), `${at}.health`);
    return summary;
  });
  return {
    kind: "auth",
    version: integerField(object, "version", what, 255),
    agentId: stringField(object, "agentId", what),
    host: stringField(object, "host", what),
    publicKey: stringField(object, "publicKey", what),
    signature: stringField(object, "signature", what),
    maxFrame: maxFrameField(object, what),
    info: {
      version: stringField(info, "version", "auth.info"),
      hostname: stringField(info, "hostname", "auth.info"),
      pid: integerField(info, "pid", "auth.info"),
      user: stringField(info, "user", "auth.info"),
      os: stringField(info, "os", "auth.info"),
      arch: stringField(info, "arch", "auth.info"),
      profiles,
    },
    ...(replaces === undefined ? {} : { replaces }),
  };
}

function decodeProfileHealth(object: JsonObject, what: string): ProfileHealth {
  const status = stringField(object, "status", what);
  if (status !== "ok" && status !== "failing") throw new ProtocolError("BAD_MESSAGE", `${what}.status must be ok or failing`);
  if (object.reason === undefined) return { status };
  const reason = stringField(object, "reason", what);
  if (reason.length > MAX_HEALTH_REASON) throw new ProtocolError("BAD_MESSAGE", `${what}.reason is longer than ${MAX_HEALTH_REASON} characters`);
  return { status, reason };
}

function decodeHelloOk(object: JsonObject): HelloOk {
  const what = "ok";
  const keepalive = objectField(object, "keepalive", what);
  return {
    kind: "ok",
    sessionId: stringField(object, "sessionId", what),
    version: integerField(object, "version", what, 255),
    maxFrame: maxFrameField(object, what),
    keepalive: {
      intervalMs: integerField(keepalive, "intervalMs", "ok.keepalive"),
      timeoutMs: integerField(keepalive, "timeoutMs", "ok.keepalive"),
    },
    time: integerField(object, "time", what),
  };
}

function maxFrameField(object: JsonObject, what: string): number {
  const value = integerField(object, "maxFrame", what);
  if (value < MIN_MAX_FRAME || value > MAX_MAX_FRAME) {
    throw new ProtocolError("BAD_MESSAGE", `${what}.maxFrame must be from ${MIN_MAX_FRAME} to ${MAX_MAX_FRAME}`);
  }
  return value;
}

const utf8 = new TextEncoder();

/**
 * The bytes the agent signs: `"outpost-auth-v1" 0x00 challenge(32) u16 len host u16 len agentId`.
 * Lengths make the variable parts unambiguous; the host stops a rogue gateway from relaying
 * a real gateway's challenge; the fresh challenge stops replay.
 */
export function authTranscript(challenge: Uint8Array, host: string, agentId: string): Uint8Array {
  const domain = utf8.encode(AUTH_DOMAIN);
  const hostBytes = utf8.encode(host).subarray(0, 0xffff);
  const idBytes = utf8.encode(agentId).subarray(0, 0xffff);
  const out = new Uint8Array(domain.byteLength + 1 + challenge.byteLength + 2 + hostBytes.byteLength + 2 + idBytes.byteLength);
  const view = new DataView(out.buffer);
  let at = 0;
  out.set(domain, at); at += domain.byteLength;
  out[at++] = 0;
  out.set(challenge, at); at += challenge.byteLength;
  view.setUint16(at, hostBytes.byteLength); at += 2;
  out.set(hostBytes, at); at += hostBytes.byteLength;
  view.setUint16(at, idBytes.byteLength); at += 2;
  out.set(idBytes, at);
  return out;
}

export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
}

/** Lenient base64 (standard or URL alphabet); callers check the decoded length. */
export function decodeBase64(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, "base64"));
}
