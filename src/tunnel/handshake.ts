/**
 * @module
 * The HELLO exchange that runs on a fresh connection before the session takes over (see
 * "Protocol flow" in `src/protocol/SPEC.md`). Signing and verifying are injected, so the
 * tunnel imports no crypto; the gateway's challenge comes from `crypto.getRandomValues`.
 * Each side reads exactly one message per step and leaves later ones queued on the
 * connection for the session. A failure closes the connection (4xxx) and throws
 * `TunnelError` HANDSHAKE_FAILED carrying the close code.
 */
import {
  CHALLENGE_SIZE, CloseCode, DEFAULT_MAX_FRAME, FINAL_CLOSE_CODES, FrameType, ProtocolError, SUPPORTED_VERSIONS, authTranscript,
  decodeBase64, decodeFrame, decodeHello, encodeBase64, encodeHello,
  type AgentAuth, type AgentInfo, type HelloMessage, type HelloOk,
} from "../protocol/index.ts";
import type { Connection } from "./connection.ts";
import { TunnelError } from "./errors.ts";
import { DEFAULT_KEEPALIVE, type KeepaliveOptions } from "./session.ts";


export interface AgentHandshakeOptions {
  agentId: string;
  /** The agent's Ed25519 public key, base64. */
  publicKey: string;
  /** Host (with port if not default) of the gateway URL dialled; signed into the transcript. */
  host: string;
  sign(transcript: Uint8Array): Uint8Array | Promise<Uint8Array>;
  info: AgentInfo;
  /** Defaults to `SUPPORTED_VERSIONS`. */
  versions?: readonly number[];
  /** Largest payload this agent accepts. Defaults to 64 KiB. */
  maxFrame?: number;
  /** Per step. Defaults to 10 s. */
  timeoutMs?: number;
  /** `sessionId` of the live session this connection takes over from (see `AgentAuth.replaces`). */
  replaces?: string;
}

export type AgentHandshakeResult = Omit<HelloOk, "kind">;

export async function agentHandshake(connection: Connection, options: AgentHandshakeOptions): Promise<AgentHandshakeResult> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  try {
    const hello = await nextHello(connection, timeoutMs, "hello");
    const version = Math.max(0, ...hello.versions.filter((v) => (options.versions ?? SUPPORTED_VERSIONS).includes(v)));
    if (version === 0) refuse(connection, CloseCode.UNSUPPORTED_VERSION, "no protocol version in common");
    const transcript = authTranscript(decodeBase64(hello.challenge), options.host, options.agentId);
    const signature = await options.sign(transcript);
    connection.transport.send(encodeHello({
      kind: "auth", version, agentId: options.agentId, host: options.host, publicKey: options.publicKey,
      signature: encodeBase64(signature), maxFrame: options.maxFrame ?? DEFAULT_MAX_FRAME, info: options.info,
      ...(options.replaces === undefined ? {} : { replaces: options.replaces }),
    }));
    const ok = await nextHello(connection, timeoutMs, "ok");
    if (ok.version !== version || ok.maxFrame > (options.maxFrame ?? DEFAULT_MAX_FRAME)) {
      refuse(connection, CloseCode.HANDSHAKE_FAILED, "gateway answered with other settings than offered");
    }
    const { kind: _, ...result } = ok;
    return result;
  } catch (error) {
    throw failed(connection, error);
  }
}

export interface GatewayHandshakeOptions {
  /** Host names (with port if not default) agents may have dialled; others fail as a bad signature. */
  hosts: readonly string[];
  /** Checks the signature and the agent's standing; the tunnel closes with the returned code on refusal. */
  verify(
    agentId: string, publicKey: string, transcript: Uint8Array, signature: Uint8Array, auth: AgentAuth,
  ): Promise<{ ok: true } | { ok: false; closeCode: number; reason: string }>;
  /** Defaults to `crypto.randomUUID()`. */
  sessionId?: () => string;
  /** Defaults to `SUPPORTED_VERSIONS`. */
  versions?: readonly number[];
  /** Largest payload the gateway accepts. Defaults to 64 KiB. */
  maxFrame?: number;
  /** Sent to the agent. Defaults to `DEFAULT_KEEPALIVE`. */
  keepalive?: KeepaliveOptions;
  /** For the agent's answer. Defaults to 10 s. */
  timeoutMs?: number;
}

export interface GatewayHandshakeResult {
  auth: AgentAuth;
  sessionId: string;
  version: number;
  maxFrame: number;
  keepalive: KeepaliveOptions;
}

export async function gatewayHandshake(connection: Connection, options: GatewayHandshakeOptions): Promise<GatewayHandshakeResult> {
  const versions = [...(options.versions ?? SUPPORTED_VERSIONS)];
  const offeredMaxFrame = options.maxFrame ?? DEFAULT_MAX_FRAME;
  const challenge = crypto.getRandomValues(new Uint8Array(CHALLENGE_SIZE));
  try {
    connection.transport.send(encodeHello({ kind: "hello", versions, challenge: encodeBase64(challenge), maxFrame: offeredMaxFrame }));
    const auth = await nextHello(connection, options.timeoutMs ?? 10_000, "auth");
    if (!versions.includes(auth.version)) refuse(connection, CloseCode.UNSUPPORTED_VERSION, "unsupported protocol version");
    if (!options.hosts.includes(auth.host)) refuse(connection, CloseCode.BAD_SIGNATURE, "signed for another gateway host");
    const transcript = authTranscript(challenge, auth.host, auth.agentId);
    const verdict = await options.verify(auth.agentId, auth.publicKey, transcript, decodeBase64(auth.signature), auth);
    if (!verdict.ok) refuse(connection, verdict.closeCode, verdict.reason);
    const result: GatewayHandshakeResult = {
      auth,
      sessionId: options.sessionId?.() ?? crypto.randomUUID(),
      version: auth.version,
      maxFrame: Math.min(offeredMaxFrame, auth.maxFrame),
      keepalive: options.keepalive ?? DEFAULT_KEEPALIVE,
    };
    connection.transport.send(encodeHello({
      kind: "ok", sessionId: result.sessionId, version: result.version, maxFrame: result.maxFrame, keepalive: result.keepalive,
      time: Date.now(),
    }));
    return result;
  } catch (error) {
    throw failed(connection, error);
  }
}

/** Closes with `code` and throws; the catch in each handshake passes the error on. */
function refuse(connection: Connection, code: number, reason: string): never {
  connection.transport.close(code, reason);
  throw new TunnelError("HANDSHAKE_FAILED", reason, { closeCode: code, retryable: !FINAL_CLOSE_CODES.has(code) });
}

function failed(connection: Connection, error: unknown): TunnelError {
  connection.listen(undefined);
  if (error instanceof TunnelError) return error;
  const reason = error instanceof ProtocolError ? "malformed handshake" : "handshake failed";
  connection.transport.close(CloseCode.HANDSHAKE_FAILED, reason);
  return new TunnelError("HANDSHAKE_FAILED", `${reason}: ${(error as Error).message}`, {
    closeCode: CloseCode.HANDSHAKE_FAILED, retryable: true, cause: error,
  });
}

/** Waits for one HELLO of `kind`, detaching after each message so later frames stay queued for the session. */
function nextHello<K extends HelloMessage["kind"]>(
  connection: Connection, timeoutMs: number, kind: K,
): Promise<Extract<HelloMessage, { kind: K }>> {
  return new Promise((resolve, reject) => {
    const settle = () => {
      connection.listen(undefined);
      clearTimeout(timer);
    };
    const timer = setTimeout(() => {
      settle();
      connection.transport.close(CloseCode.HANDSHAKE_FAILED, "handshake timed out");
      reject(new TunnelError("HANDSHAKE_FAILED", `no ${kind} within ${timeoutMs} ms`, { closeCode: CloseCode.HANDSHAKE_FAILED, retryable: true }));
    }, timeoutMs);
    connection.listen({
      message(data) {
        settle();
        try {
          const frame = decodeFrame(data);
          if (frame.type !== FrameType.HELLO) throw new ProtocolError("BAD_MESSAGE", `expected HELLO, got frame type ${frame.type}`);
          const message = decodeHello(frame.payload);
          if (message.kind !== kind) throw new ProtocolError("BAD_MESSAGE", `expected ${kind}, got ${message.kind}`);
          resolve(message as Extract<HelloMessage, { kind: K }>);
        } catch (error) {
          reject(error);
        }
      },
      close(code, reason) {
        settle();
        reject(new TunnelError("HANDSHAKE_FAILED", `connection closed during handshake (${code} ${reason})`, {
          closeCode: code, retryable: !FINAL_CLOSE_CODES.has(code),
        }));
      },
    });
  });
}
