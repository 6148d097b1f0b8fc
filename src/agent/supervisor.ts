/**
 * @module
 * Keeps the agent connected (cloudflared's supervisor): dial, prove the key, serve streams
 * until the link ends, then wait and dial again — forever, with exponential backoff and
 * full jitter capped at 30 s, reset only after a connection stayed healthy. A go-away from
 * a restarting gateway earns an immediate reconnect. A refusal that retrying cannot fix
 * (unknown agent, revoked key) is logged once in one clear line, then retried slowly in
 * case an operator fixes it on the gateway. A proxy that refuses the tunnel, or a
 * certificate the agent does not trust (a TLS-inspecting proxy, usually), is also reported
 * once in one line naming the cause, while the normal backoff continues.
 */
import type { IdentityFile } from "../crypto/identity.ts";
import type { Logger } from "../log/logger.ts";
import { AGENT_CONNECT_PATH, CloseCode, GoAwayCode, type AgentInfo } from "../protocol/index.ts";
import { describeProxyRefusal, isCertificateFailure } from "./connect-failure.ts";
import { describeTlsFailure } from "./tls-diagnose.ts";
import {
  Backoff, TunnelError, agentHandshake, attachSession, connectWebSocket, isTunnelError, type Session, type Stream,
} from "../tunnel/index.ts";


/** Refusals that need an operator; retried every `slowRetryMs` instead of the normal backoff. */
const NEEDS_OPERATOR: ReadonlySet<number> = new Set([CloseCode.UNKNOWN_AGENT, CloseCode.REVOKED, CloseCode.BAD_SIGNATURE, CloseCode.UNSUPPORTED_VERSION]);

export type SupervisorState = "connecting" | "connected" | "waiting" | "stopped";

export interface SupervisorOptions {
  /** `wss://host:port` of the gateway. */
  gatewayUrl: string;
  /** Read before every dial, so a rotated key is used on the next connection. */
  identity: () => IdentityFile;
  /** What the agent reports in its hello (profiles included); read before every dial. */
  info: () => AgentInfo;
  /** Serves the streams the gateway opens; `clockOffsetMs` is gateway time minus this host's time. */
  onStream: (stream: Stream, clockOffsetMs: number) => void;
  sign: (secretKey: string, bytes: Uint8Array) => Promise<Uint8Array>;
  tls?: { ca?: string; insecureSkipVerify?: boolean };
  /** `http://user:pass@host:port` of an HTTP CONNECT proxy. */
  proxy?: string;
  log: Logger;
  /** Defaults to a `Backoff` with 500 ms base, 30 s cap, 10 s grace. */
  backoff?: Backoff;
  /** Delay between attempts after a refusal that needs an operator. Defaults to 5 minutes. */
  slowRetryMs?: number;
  onState?: (state: SupervisorState) => void;
}

export class Supervisor {
  readonly #options: SupervisorOptions;
  readonly #backoff: Backoff;
  readonly #stop = new AbortController();
  #session: Session | undefined;
  /** Sessions told to go away that still finish their streams. */
  readonly #draining = new Set<Session>();
  #handover: (() => void) | undefined;
  #running: Promise<void> | undefined;
  #lastRefusal = "";
  #lastDialFailure = "";
  #state: SupervisorState = "stopped";

  constructor(options: SupervisorOptions) {
    this.#options = options;
    this.#backoff = options.backoff ?? new Backoff();
  }

  get state(): SupervisorState {
    return this.#state;
  }

  get session(): Session | undefined {
    return this.#session;
  }

  start(): void {
    this.#running ??= this.#loop();
  }

  /** Stops taking new streams (go-away to the gateway), and ends the loop. In-flight streams are the dispatcher's to drain. */
  async stop(): Promise<void> {
    this.#stop.abort();
    for (const session of this.#sessions()) session.goAway(GoAwayCode.NORMAL, "agent shutting down");
    await this.#running;
  }

  /**
   * Moves to a new connection at once (e.g. after a profile change or a key rotation): the
   * current session is told to go away and finishes its streams while the new one is dialled,
   * so the agent never stops taking requests.
   */
  reconnect(reason: string): void {
    if (!this.#session || this.#session.closed) return;
    this.#options.log.info("reconnecting", { reason });
    this.#session.goAway(GoAwayCode.NORMAL, reason);
    this.#handover?.();
  }

  /** Closes every session now (used after the agent's in-flight requests are drained). */
  closeSession(): void {
    for (const session of this.#sessions()) session.close();
  }

  #sessions(): Session[] {
    return [...this.#draining, ...(this.#session ? [this.#session] : [])];
  }

  async #loop(): Promise<void> {
    const { log } = this.#options;
    const signal = this.#stop.signal;
    while (!signal.aborted) {
      let delay: number;
      try {
        await this.#connectOnce(signal);
        delay = this.#backoff.next();
      } catch (error) {
        const closeCode = isTunnelError(error) ? error.closeCode : undefined;
        if (closeCode !== undefined && NEEDS_OPERATOR.has(closeCode)) {
          delay = this.#options.slowRetryMs ?? 300_000;
          this.#reportRefusal(`gateway refused this agent: ${(error as Error).message}`, delay);
        } else {
          delay = this.#backoff.next();
          const line = await this.#explainDialFailure((error as Error).message);
          if (line) this.#reportRefusal(line, delay);
          else log.warn("cannot reach the gateway", { gateway: this.#options.gatewayUrl, reason: (error as Error).message, retryInMs: delay });
        }
      }
      if (signal.aborted) break;
      this.#setState("waiting");
      await sleep(delay, signal);
    }
    this.#setState("stopped");
  }

  async #connectOnce(signal: AbortSignal): Promise<void> {
    const { gatewayUrl, tls, proxy, log } = this.#options;
    this.#setState("connecting");
    const identity = this.#options.identity();
    const url = new URL(AGENT_CONNECT_PATH, gatewayUrl.replace(/^http/, "ws"));
    const connection = await connectWebSocket(url.href, { ca: tls?.ca, insecureSkipVerify: tls?.insecureSkipVerify, proxy, signal });
    const hello = await agentHandshake(connection, {
      agentId: identity.agentId,
      publicKey: identity.publicKey,
      host: url.host,
      info: this.#options.info(),
      sign: (transcript) => this.#options.sign(identity.secretKey, transcript),
    });
    this.#backoff.markConnected();
    // Deadlines arrive in the gateway's time; convert them with this offset (within a round trip).
    const clockOffsetMs = hello.time - Date.now();
    if (Math.abs(clockOffsetMs) > 5000) {
      log.warn("this host's clock differs from the gateway's; deadlines are adjusted, but check time sync (NTP)", { offsetSeconds: Math.round(clockOffsetMs / 1000) });
    }
    this.#lastRefusal = "";
    this.#lastDialFailure = "";
    // Ends when the session closes, or — for a go-away that asks for a reconnect — at once,
    // so the next connection is dialled while this one drains its streams.
    let resolveEnded!: (outcome: { handover: true } | { handover: false; error?: TunnelError }) => void;
    const ended = new Promise<{ handover: true } | { handover: false; error?: TunnelError }>((resolve) => (resolveEnded = resolve));
    const session: Session = attachSession(connection, {
      role: "agent",
      maxFrameSize: hello.maxFrame,
      keepalive: hello.keepalive,
      onStream: (stream) => this.#options.onStream(stream, clockOffsetMs),
      logger: log.child("tunnel"),
      onGoAway: (code, message) => {
        log.info("gateway asked this agent to reconnect", { code, message });
        if (code === GoAwayCode.NORMAL || code === GoAwayCode.RESTARTING) resolveEnded({ handover: true });
      },
      onClose: (error) => {
        this.#draining.delete(session);
        resolveEnded({ handover: false, error });
      },
    });
    this.#session = session;
    this.#handover = () => resolveEnded({ handover: true });
    this.#setState("connected");
    log.info("connected to the gateway", { gateway: gatewayUrl, sessionId: hello.sessionId });
    const onStop = () => session.goAway(GoAwayCode.NORMAL, "agent shutting down");
    signal.addEventListener("abort", onStop, { once: true });
    if (signal.aborted) onStop(); // stop() ran during the handshake
    const outcome = await ended;
    signal.removeEventListener("abort", onStop);
    this.#handover = undefined;
    this.#session = undefined;
    if (outcome.handover && !session.closed && !signal.aborted) {
      this.#draining.add(session);
      this.#backoff.retryImmediately();
      log.info("dialling a new connection while the old one finishes its requests");
      return;
    }
    this.#backoff.markDisconnected();
    const error = outcome.handover ? undefined : outcome.error;
    if (error && !signal.aborted) log.warn("connection to the gateway lost", { reason: error.message, code: error.code });
    else log.info("disconnected from the gateway");
  }

  /**
   * The one line for a proxy refusal or an untrusted certificate, else undefined. The
   * certificate is looked at (one extra handshake) only when the raw error changed, so a
   * long outage costs no more than the retries themselves.
   */
  async #explainDialFailure(message: string): Promise<string | undefined> {
    const { gatewayUrl, proxy, tls } = this.#options;
    const target = new URL(gatewayUrl.replace(/^http/, "ws"));
    const refusal = describeProxyRefusal(message, target.host);
    if (refusal) return refusal;
    if (tls?.insecureSkipVerify || !isCertificateFailure(message)) return undefined;
    if (message === this.#lastDialFailure) return this.#lastRefusal || undefined;
    this.#lastDialFailure = message;
    return describeTlsFailure(target.href, { proxy, ca: tls?.ca });
  }

  /** One error line per distinct refusal, not one per retry. */
  #reportRefusal(message: string, retryInMs: number) {
    if (message === this.#lastRefusal) return;
    this.#lastRefusal = message;
    this.#options.log.error(message, { retryInSeconds: Math.round(retryInMs / 1000) });
  }

  #setState(state: SupervisorState) {
    if (this.#state === state) return;
    this.#state = state;
    this.#options.onState?.(state);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
