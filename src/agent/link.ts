/**
 * @module
 * One connection to the gateway as the supervisor sees it: dial (TLS WebSocket, optionally
 * through a proxy), prove the key, attach the stream session, and tell how it ended — a
 * go-away that asks for a reconnect, or a close (with whether it was a refusal). Policy
 * (when to dial, how long to wait) stays in `supervisor.ts`.
 */
import type { IdentityFile } from "../crypto/identity.ts";
import type { Logger } from "../log/logger.ts";
import { AGENT_CONNECT_PATH, GoAwayCode, type AgentInfo } from "../protocol/index.ts";
import { agentHandshake, attachSession, connectWebSocket, type Session, type Stream, type TunnelError } from "../tunnel/index.ts";

/** How a link ended: the gateway asked for a reconnect (NORMAL/RESTARTING), or the session closed. */
export type LinkEnd = { kind: "go-away" } | { kind: "closed"; error?: TunnelError; refused: boolean };

export interface Link {
  readonly session: Session;
  readonly sessionId: string;
  /** Gateway time minus this host's time, measured at the handshake. */
  readonly clockOffsetMs: number;
  /** Settles once, on the first go-away that asks for a reconnect or on close. */
  readonly ended: Promise<LinkEnd>;
}

export interface DialOptions {
  gatewayUrl: string;
  identity: IdentityFile;
  info: AgentInfo;
  sign: (secretKey: string, bytes: Uint8Array) => Promise<Uint8Array>;
  tls?: { ca?: string; insecureSkipVerify?: boolean };
  proxy?: string;
  signal: AbortSignal;
  /** `sessionId` of the live session this one takes over from (make-before-break). */
  replaces?: string;
  log: Logger;
  onStream: (stream: Stream, clockOffsetMs: number) => void;
  /** After the session closed, whatever the supervisor thinks of it by then. */
  onClose: (link: Link) => void;
}

export async function dialLink(options: DialOptions): Promise<Link> {
  const { identity, log } = options;
  const url = new URL(AGENT_CONNECT_PATH, options.gatewayUrl.replace(/^http/, "ws"));
  const tls = options.tls;
  const connection = await connectWebSocket(url.href, { ca: tls?.ca, insecureSkipVerify: tls?.insecureSkipVerify, proxy: options.proxy, signal: options.signal });
  const hello = await agentHandshake(connection, {
    agentId: identity.agentId,
    publicKey: identity.publicKey,
    host: url.host,
    info: options.info,
    sign: (transcript) => options.sign(identity.secretKey, transcript),
    replaces: options.replaces,
  });
  // Deadlines arrive in the gateway's time; convert them with this offset (within a round trip).
  const clockOffsetMs = hello.time - Date.now();
  let settle!: (end: LinkEnd) => void;
  const ended = new Promise<LinkEnd>((resolve) => (settle = resolve));
  // A go-away other than NORMAL/RESTARTING (policy, internal) makes the close that follows a refusal.
  let refusedBy: number | undefined;
  // Declared first: onClose may run inside attachSession (the link closed during the handshake).
  let link: Link | undefined;
  const session: Session = attachSession(connection, {
    role: "agent",
    maxFrameSize: hello.maxFrame,
    keepalive: hello.keepalive,
    onStream: (stream) => options.onStream(stream, clockOffsetMs),
    logger: log.child("tunnel"),
    onGoAway: (code, message) => {
      log.info("gateway asked this agent to reconnect", { code, message });
      if (code === GoAwayCode.NORMAL || code === GoAwayCode.RESTARTING) settle({ kind: "go-away" });
      else refusedBy = code;
    },
    onClose: (error) => {
      const refused = refusedBy !== undefined || (error?.closeCode ?? 0) >= 4000;
      settle({ kind: "closed", error, refused });
      if (link) options.onClose(link);
    },
  });
  link = { session, sessionId: hello.sessionId, clockOffsetMs, ended };
  return link;
}
