/**
 * @module
 * Keeps the agent connected (cloudflared's supervisor): dial, prove the key, serve streams
 * until the link ends, then wait and dial again — forever, with exponential backoff and full
 * jitter (`src/tunnel/backoff.ts`): failures grow the wait, a gateway restart starts it
 * over. A go-away from a restarting gateway earns an immediate reconnect.
 *
 * A change the gateway must see (profiles, a rotated key) moves the agent make-before-break:
 * the new connection is dialled while the current one keeps serving, names the session it
 * replaces, and only once the gateway has it does the old one go away and finish its
 * requests — so a group of one agent never has a moment without it. A gateway that predates
 * this refuses the new connection as a duplicate (4009); then the old one goes away first.
 *
 * Refusals: disabled, or an address not allowed, can be lifted by an administrator at any
 * moment, so they are retried every few seconds; refusals that need an operator on this host
 * or a new key (unknown agent, revoked key, bad signature, no common version) slowly. Every
 * distinct problem is logged once in one line naming its cause, then counted
 * (`failure-log.ts`), not repeated per try.
 */
import type { IdentityFile } from "../crypto/identity.ts";
import type { Logger } from "../log/logger.ts";
import { CloseCode, FINAL_CLOSE_CODES, GoAwayCode, type AgentInfo } from "../protocol/index.ts";
import { describeProxyRefusal, isCertificateFailure } from "./connect-failure.ts";
import { FailureLog } from "../log/failure-log.ts";
import { dialLink, type Link, type LinkEnd } from "./link.ts";
import { describeTlsFailure } from "./tls-diagnose.ts";
import { describeUpgradeFailure, isUpgradeFailure } from "./upgrade-diagnose.ts";
import { Backoff, isTunnelError, systemClock, type Clock, type Session, type Stream } from "../tunnel/index.ts";

/** Refusals that need someone on this host or a new key; retried every `slowRetryMs`. */
const NEEDS_OPERATOR = FINAL_CLOSE_CODES;
/** Refusals an administrator lifts on the gateway at any moment; retried every `adminRetryMs`. */
const ADMIN_HOLD: ReadonlySet<number> = new Set([CloseCode.DISABLED, CloseCode.ADDRESS_NOT_ALLOWED]);

/** How long a replaced session waits for the gateway's go-away before sending its own. */
const REPLACED_GRACE_MS = 10_000;

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
  /** Waits and the failure log's windows run on it. Defaults to the system clock. */
  clock?: Clock;
  /** Defaults to a `Backoff` with 500 ms base, 30 s cap, 10 s grace, on `clock`. */
  backoff?: Backoff;
  /** Delay between attempts after a refusal that needs an operator. Defaults to 5 minutes. */
  slowRetryMs?: number;
  /** Largest delay between attempts while disabled or outside the allowed addresses (jittered down to half). Defaults to 5 s. */
  adminRetryMs?: number;
  /** Uniform in [0, 1), for the jitter of `adminRetryMs`. Defaults to `Math.random`. */
  random?: () => number;
  /** Tries the dial; for tests of the policy. Defaults to `dialLink`. */
  dial?: typeof dialLink;
  onState?: (state: SupervisorState) => void;
}

type Served = LinkEnd | { kind: "replace" } | { kind: "stopped" };

export class Supervisor {
  readonly #options: SupervisorOptions;
  readonly #clock: Clock;
  readonly #backoff: Backoff;
  readonly #failures: FailureLog;
  readonly #stop = new AbortController();
  #current: Link | undefined;
  /** The live session a new connection is being dialled to replace. */
  #replacing: Link | undefined;
  /** Sessions told to go away that still finish their streams. */
  readonly #draining = new Set<Session>();
  /** Bumped by `reconnect()`; a link dialled before the last bump offers stale info. */
  #changes = 0;
  readonly #dialledAt = new WeakMap<Link, number>();
  #wake: (() => void) | undefined;
  #running: Promise<void> | undefined;
  #lastDialFailure = "";
  #lastExplanation: string | undefined;
  #state: SupervisorState = "stopped";

  constructor(options: SupervisorOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#backoff = options.backoff ?? new Backoff({ now: () => this.#clock.now() });
    this.#failures = new FailureLog({ log: options.log, now: () => this.#clock.now() });
  }

  get state(): SupervisorState {
    return this.#state;
  }

  get session(): Session | undefined {
    return (this.#current ?? this.#replacing)?.session;
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
   * Moves to a new connection (after a profile change or a key rotation) make-before-break:
   * the current session keeps serving until the gateway has the new one.
   */
  reconnect(reason: string): void {
    this.#changes++;
    this.#options.log.info("moving to a new connection", { reason });
    this.#wake?.();
  }

  /** Closes every session now (used after the agent's in-flight requests are drained). */
  closeSession(): void {
    for (const session of this.#sessions()) session.close();
  }

  #sessions(): Session[] {
    return [...this.#draining, ...[this.#current, this.#replacing].filter((link) => link !== undefined).map((link) => link.session)];
  }

  async #loop(): Promise<void> {
    const signal = this.#stop.signal;
    while (!signal.aborted) {
      const delay = this.#current ? this.#afterServing(await this.#serve(this.#current)) : await this.#dialNext(signal);
      if (signal.aborted) break;
      if (delay > 0) {
        if (!this.#replacing) this.#setState("waiting");
        await this.#sleep(delay, signal);
      }
    }
    this.#setState("stopped");
  }

  /** One dial; on success the link becomes current. Returns the wait before the next step. */
  async #dialNext(signal: AbortSignal): Promise<number> {
    const replacing = this.#replacing && !this.#replacing.session.closed ? this.#replacing : undefined;
    if (!replacing) this.#setState("connecting");
    const changes = this.#changes;
    let link: Link;
    try {
      link = await (this.#options.dial ?? dialLink)({
        gatewayUrl: this.#options.gatewayUrl,
        identity: this.#options.identity(),
        info: this.#options.info(),
        sign: this.#options.sign,
        tls: this.#options.tls,
        proxy: this.#options.proxy,
        signal,
        replaces: replacing?.sessionId,
        log: this.#options.log,
        onStream: this.#options.onStream,
        onClose: (closed) => this.#draining.delete(closed.session),
      });
    } catch (error) {
      if (signal.aborted) return 0; // stop() aborted the dial: nothing to report
      return this.#dialFailed(error, replacing);
    }
    this.#backoff.markConnected();
    this.#dialledAt.set(link, changes);
    if (replacing) this.#retireReplaced(replacing);
    this.#replacing = undefined;
    this.#current = link;
    this.#failures.clear();
    this.#lastDialFailure = "";
    this.#lastExplanation = undefined;
    if (Math.abs(link.clockOffsetMs) > 5000) {
      this.#options.log.warn("this host's clock differs from the gateway's; deadlines are adjusted, but check time sync (NTP)", { offsetSeconds: Math.round(link.clockOffsetMs / 1000) });
    }
    this.#setState("connected");
    this.#options.log.info("connected to the gateway", { gateway: this.#options.gatewayUrl, sessionId: link.sessionId });
    if (signal.aborted) link.session.goAway(GoAwayCode.NORMAL, "agent shutting down"); // stop() ran during the handshake
    return 0;
  }

  async #dialFailed(error: unknown, replacing: Link | undefined): Promise<number> {
    const message = (error as Error).message;
    const closeCode = isTunnelError(error) ? error.closeCode : undefined;
    if (replacing && closeCode === CloseCode.DUPLICATE_CONNECTION) {
      // A gateway without make-before-break: let the old session go first, then dial at once.
      this.#options.log.info("the gateway does not take a second connection while the first is live; moving over the old way");
      this.#retire(replacing, "moving to a new connection");
      this.#replacing = undefined;
      return 0;
    }
    const stay = replacing && !replacing.session.goingAway ? "; the current connection keeps serving" : "";
    if (closeCode !== undefined && (NEEDS_OPERATOR.has(closeCode) || ADMIN_HOLD.has(closeCode))) {
      const delay = NEEDS_OPERATOR.has(closeCode) ? (this.#options.slowRetryMs ?? 300_000) : this.#adminDelay();
      this.#failures.report("error", `gateway refused this agent: ${message}${stay}`, { retryInSeconds: Math.round(delay / 1000) });
      return delay;
    }
    const delay = this.#backoff.next();
    const line = await this.#explainDialFailure(message);
    if (line) this.#failures.report("error", line + stay, { retryInSeconds: Math.round(delay / 1000) });
    else this.#failures.report("warn", `cannot reach the gateway${stay}`, { gateway: this.#options.gatewayUrl, reason: message, retryInMs: delay }, message);
    return delay;
  }

  /** Waits until the current link ends, a change asks for a new connection, or the agent stops. */
  async #serve(link: Link): Promise<Served> {
    const signal = this.#stop.signal;
    if (signal.aborted) return { kind: "stopped" };
    if ((this.#dialledAt.get(link) ?? 0) !== this.#changes) return { kind: "replace" };
    let onAbort!: () => void;
    const woken = new Promise<Served>((resolve) => {
      this.#wake = () => resolve({ kind: "replace" });
      onAbort = () => resolve({ kind: "stopped" });
      signal.addEventListener("abort", onAbort, { once: true });
    });
    const outcome = await Promise.race([link.ended, woken]);
    this.#wake = undefined;
    signal.removeEventListener("abort", onAbort);
    if (outcome.kind === "replace" && (link.session.closed || link.session.goingAway)) return link.ended;
    return outcome;
  }

  /** What to do when serving the current link stopped; returns the wait before dialling. */
  #afterServing(outcome: Served): number {
    const link = this.#current!;
    if (outcome.kind === "stopped") return 0;
    this.#current = undefined;
    if (outcome.kind === "replace") {
      this.#replacing = link;
      return 0;
    }
    this.#backoff.markDisconnected({ refused: outcome.kind === "closed" && outcome.refused });
    if (outcome.kind === "go-away") {
      this.#retire(link, "the gateway asked for a reconnect");
      this.#backoff.retryImmediately();
      this.#options.log.info("dialling a new connection while the old one finishes its requests");
      return this.#backoff.next();
    }
    const delay = this.#backoff.next();
    if (outcome.error) this.#options.log.warn("connection to the gateway lost", { reason: outcome.error.message, code: outcome.error.code, retryInMs: delay });
    else this.#options.log.info("disconnected from the gateway", { retryInMs: delay });
    return delay;
  }

  /**
   * The gateway itself tells a replaced session to go away as it routes to the new one, so
   * no request can be sent to it after this side stopped taking them (a late OPEN would be
   * refused, and a group of one has nowhere to retry it). Should that go-away not come, the
   * agent sends its own after `REPLACED_GRACE_MS`.
   */
  #retireReplaced(link: Link) {
    this.#draining.add(link.session);
    const timer = this.#clock.setTimeout(() => this.#retire(link, "replaced by the agent's new connection"), REPLACED_GRACE_MS);
    void link.ended.then(() => this.#clock.clearTimeout(timer));
  }

  /** The link stops taking streams and finishes the ones it has; closed links are forgotten. */
  #retire(link: Link, reason: string) {
    if (link.session.closed) return;
    this.#draining.add(link.session);
    link.session.goAway(GoAwayCode.NORMAL, reason);
  }

  #adminDelay(): number {
    const ceiling = this.#options.adminRetryMs ?? 5000;
    return Math.floor(ceiling * (0.5 + (this.#options.random ?? Math.random)() / 2));
  }

  /**
   * The one line for a proxy refusal, an untrusted certificate or a refused WebSocket
   * upgrade, else undefined. The gateway is probed again (one extra request) only when the
   * raw error changed, so a long outage costs no more than the retries themselves.
   */
  async #explainDialFailure(message: string): Promise<string | undefined> {
    const { gatewayUrl, proxy, tls } = this.#options;
    const target = new URL(gatewayUrl.replace(/^http/, "ws"));
    const refusal = describeProxyRefusal(message, target.host);
    if (refusal) return refusal;
    const upgrade = isUpgradeFailure(message);
    if (!upgrade && (tls?.insecureSkipVerify || !isCertificateFailure(message))) return undefined;
    if (message === this.#lastDialFailure) return this.#lastExplanation;
    this.#lastDialFailure = message;
    this.#lastExplanation = upgrade
      ? await describeUpgradeFailure(target.href, message, { proxy, ca: tls?.ca, insecureSkipVerify: tls?.insecureSkipVerify })
      : await describeTlsFailure(target.href, { proxy, ca: tls?.ca });
    return this.#lastExplanation;
  }

  #sleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const timer = this.#clock.setTimeout(done, ms);
      const clock = this.#clock;
      function done() {
        clock.clearTimeout(timer);
        signal.removeEventListener("abort", done);
        resolve();
      }
      signal.addEventListener("abort", done, { once: true });
    });
  }

  #setState(state: SupervisorState) {
    if (this.#state === state) return;
    this.#state = state;
    this.#options.onState?.(state);
  }
}
