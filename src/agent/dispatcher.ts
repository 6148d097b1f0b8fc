/**
 * @module
 * Serves the streams the gateway opens: looks up the operation and the profile, applies
 * the agent-wide concurrency limit (a bounded queue, then UNAVAILABLE so the gateway
 * answers 503 retryable), runs the handler inside a call context tied to the stream
 * (caller gone or deadline passed → the connector stops the work), and always answers:
 * a reply, an error head, or a reset.
 */
import { createCallContext } from "../connectors/context.ts";
import { ConnectorError } from "../connectors/errors.ts";
import { Limiter } from "../connectors/limiter.ts";
import type { Logger } from "../log/logger.ts";
import { DEFAULT_MAX_FRAME, deadlineScope, isControlOperation, isOperation, type ControlOperationName } from "../protocol/index.ts";
import type { CallContext } from "../connectors/connector.ts";
import type { Stream } from "../tunnel/index.ts";
import type { BodyLimit } from "./operations/context.ts";
import { HANDLERS } from "./operations/index.ts";
import type { ProfileSet } from "./profiles.ts";
import { Reply } from "./reply.ts";

export interface DispatcherOptions {
  /** The current profiles; read per request so a reload applies to the next one. */
  profiles: () => ProfileSet;
  log: Logger;
  /** Requests served at once. Defaults to `64`. */
  concurrency?: number;
  /** Requests waiting beyond that; one more gets UNAVAILABLE. Defaults to `256`. */
  queueSize?: number;
  /**
   * `agent.max_request_size`: bytes of a request's arguments and of a forwarded body
   * (uploads excluded); more is TOO_LARGE. Defaults to `10485760`.
   */
  maxRequestSize?: number;
  /** Handlers of operations on the agent itself (profile-less); their result answers as JSON. */
  control?: Partial<Record<ControlOperationName, (args: Record<string, unknown>, ctx: CallContext) => Promise<unknown>>>;
  /** Hears every finished request: the profile it named if this agent has it, `ok` or the error's code. Defaults to none. */
  onFinished?: (profile: string | undefined, outcome: string, seconds: number) => void;
}

export class Dispatcher {
  readonly #options: DispatcherOptions;
  readonly #limiter: Limiter;
  readonly #inFlight = new Set<Promise<void>>();
  readonly #maxRequestSize: number;

  constructor(options: DispatcherOptions) {
    this.#options = options;
    this.#limiter = new Limiter({
      concurrency: options.concurrency ?? 64,
      queueSize: options.queueSize ?? 256,
      label: "this agent",
    });
    this.#maxRequestSize = options.maxRequestSize ?? 10_485_760;
  }

  /**
   * TOO_LARGE when the arguments (SQL, parameters, script values) pass the cap. They came
   * in one open frame, which this agent accepts up to DEFAULT_MAX_FRAME, so only a cap below
   * that can be passed, and only then is the JSON measured (nothing is paid by default).
   */
  #checkArgsSize(args: Record<string, unknown>): void {
    if (this.#maxRequestSize >= DEFAULT_MAX_FRAME) return;
    const size = Buffer.byteLength(JSON.stringify(args));
    if (size > this.#maxRequestSize) {
      throw new ConnectorError("TOO_LARGE", `the request's arguments take ${size} bytes; agent.max_request_size is ${this.#maxRequestSize}`);
    }
  }

  get inFlight(): number {
    return this.#inFlight.size;
  }

  /** Requests waiting for a slot of the agent-wide concurrency limit. */
  get queued(): number {
    return this.#limiter.waiting;
  }

  /** The `onStream` callback of the agent's session; `clockOffsetMs` is gateway time minus this host's. */
  readonly handle = (stream: Stream, clockOffsetMs = 0): void => {
    const work = this.#serve(stream, clockOffsetMs).finally(() => this.#inFlight.delete(work));
    this.#inFlight.add(work);
  };

  /** Resolves when every request in flight has finished, or after `graceMs`. */
  async drain(graceMs: number): Promise<boolean> {
    const timeout = new Promise<false>((resolve) => setTimeout(() => resolve(false), graceMs).unref());
    const done = Promise.allSettled([...this.#inFlight]).then(() => true);
    return await Promise.race([done, timeout]);
  }

  async #serve(stream: Stream, clockOffsetMs: number): Promise<void> {
    const { op, profile: profileName, args, requestId } = stream.header;
    const deadline = stream.header.deadline - clockOffsetMs;
    const log = this.#options.log.with({ requestId });
    const started = performance.now();
    let release: (() => void) | undefined;
    const profile = isOperation(op) ? this.#options.profiles().get(profileName) : undefined;
    const ctx = createCallContext({ requestId, signal: stream.signal, deadline, log, maxMs: profile?.connector.maxDurationMs });
    // A download or forwarded response streams for as long as the caller reads: its deadline
    // bounds only the wait for the head.
    const streamed = isOperation(op) && deadlineScope(op) !== "reply";
    const reply = new Reply(stream, { onHead: streamed ? () => ctx.clearDeadline() : undefined });
    const bodyLimit: BodyLimit = { maxBytes: this.#maxRequestSize };
    let outcome = "ok";
    try {
      if (isControlOperation(op)) {
        const control = this.#options.control?.[op];
        if (!control) throw new ConnectorError("BAD_REQUEST", `this agent does not support "${op}"`);
        log.info("control request", { op });
        await reply.json(await control(args, ctx));
        return;
      }
      if (!isOperation(op)) throw new ConnectorError("BAD_REQUEST", `unknown operation "${op}"`);
      const { kind, handler } = HANDLERS[op];
      if (!profile || profile.connector.kind !== kind) {
        throw new ConnectorError("NOT_FOUND", `this agent has no ${kind} profile "${profileName}"`);
      }
      this.#checkArgsSize(args);
      release = await this.#limiter.acquire(ctx.signal);
      log.debug("request started", { op, profile: profileName });
      await handler(profile.connector, args, reply, { ctx, stream, bodyLimit });
      log.debug("request done", { op, profile: profileName, ms: Math.round(performance.now() - started) });
    } catch (caught) {
      // A body cut at the cap breaks the connector's read; the cap is the reason to report.
      const error = bodyLimit.exceeded ?? caught;
      const code = (error as { code?: string }).code;
      outcome = code ?? "INTERNAL";
      log.warn("request failed", { op, profile: profileName, code, message: (error as Error).message, ms: Math.round(performance.now() - started) });
      await reply.fail(error);
    } finally {
      release?.();
      ctx.dispose();
      this.#options.onFinished?.(profile?.name, outcome, (performance.now() - started) / 1000);
    }
  }
}
