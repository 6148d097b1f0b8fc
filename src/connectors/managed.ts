/**
 * @module
 * The generic wrapper every profile's connector runs inside (kysely's `runtime-driver`):
 * init once (concurrent callers share one init; a failed init is retried by the next
 * call), a destroyed guard, the per-profile concurrency limit with a bounded queue, the
 * call's signal checked before work starts, `maxRows` enforcement for queries, and mapping
 * of anything thrown to a `ConnectorError`. Backends stay small: they map their own driver
 * errors (optionally through `mapError`) and honour `ctx.signal`.
 *
 * Every method of the wrapped connector whose last argument is the `CallContext` goes
 * through the limit. The slot is held until the promise settles; for `query` it is held
 * until the rows are consumed or the loop is left, because the cursor holds a connection.
 * Bodies returned as streams (files read, HTTP responses) are not counted after the
 * promise resolves.
 */
import type { Logger } from "../log/logger.ts";
import { FailureLog } from "../log/failure-log.ts";
import type { AnyConnector, CallContext, QueryRequest, QueryResult, Row } from "./connector.ts";
import { abortReason, createCallContext, type ContextOptions, type OwnedContext } from "./context.ts";
import { ConnectorError, isConnectorError } from "./errors.ts";
import { Limiter } from "./limiter.ts";

export interface ManagedOptions {
  /** The profile's name, for log lines and messages. */
  profile: string;
  /** Calls running at once for this profile. Defaults to `16` (`agent.profile_concurrency`). */
  concurrency?: number;
  /** Calls waiting beyond `concurrency` before UNAVAILABLE. Defaults to `256` (`agent.queue_size`). */
  queueSize?: number;
  /** Used by `withContext` when a request has no deadline. Defaults to `300_000` ms. */
  timeoutMs?: number;
  /** The longest one call may take, whatever the caller's deadline (`query_timeout`). Defaults to none. */
  maxDurationMs?: number;
  log: Logger;
  /** Maps a backend's own error; return undefined to fall back to INTERNAL. */
  mapError?: (error: unknown) => ConnectorError | undefined;
  /**
   * Told when the profile's target starts or stops failing: a failed init, a call or health
   * check that could not reach it or log in (the error), then the next success (undefined).
   * Called only when the state flips, so the hot path pays one comparison.
   */
  onHealth?: (failure: ConnectorError | undefined) => void;
}

/** A query result whose `truncated` is final once `rows` has been consumed. */
export interface ManagedQueryResult extends QueryResult {
  /** true when `maxRows` rows were sent and at least one more existed. */
  readonly truncated: boolean;
}

/** Databases' `query` reports truncation; every other method keeps its signature. */
type WithManagedQuery<C> = C extends { kind: "database" }
  ? Omit<C, "query"> & { query(request: QueryRequest, ctx: CallContext): Promise<ManagedQueryResult> }
  : C;

export type Managed<C extends AnyConnector> = WithManagedQuery<C> & {
  readonly profile: string;
  /** The profile's own bound on one call; the dispatcher caps the caller's deadline with it. */
  readonly maxDurationMs?: number;
  /** Init if needed, then the backend's own health check (a success when it has none). */
  health(ctx: CallContext): Promise<void>;
  /** Waits for an init in flight, then closes the backend; later calls get UNAVAILABLE. */
  close(): Promise<void>;
  /** A context for one request; dispose it (or `using`) when the reply is fully sent. */
  withContext(options: Omit<ContextOptions, "timeoutMs">): OwnedContext;
};

const LIFECYCLE = new Set(["init", "health", "close", "kind", "constructor"]);

/** Wraps `connector` so every call goes through init, the limit, and error mapping. */
export function createManagedConnector<C extends AnyConnector>(connector: C, options: ManagedOptions): Managed<C> {
  const runtime = new ManagedRuntime(connector, options);
  const wrapped: Record<string | symbol, unknown> = {
    kind: connector.kind,
    profile: options.profile,
    maxDurationMs: options.maxDurationMs,
    health: (ctx: CallContext) => runtime.health(ctx),
    close: () => runtime.close(),
    withContext: (context: Omit<ContextOptions, "timeoutMs">) =>
      createCallContext({ ...context, log: context.log ?? options.log, timeoutMs: options.timeoutMs }),
  };
  for (const name of methodNames(connector)) {
    if (LIFECYCLE.has(name)) continue;
    const method = (connector as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>)[name]!;
    wrapped[name] =
      connector.kind === "database" && name === "query"
        ? (request: QueryRequest, ctx: CallContext) => runtime.query(request, ctx)
        : (...args: unknown[]) => runtime.run(args.at(-1) as CallContext, () => method.apply(connector, args));
  }
  return wrapped as unknown as Managed<C>;
}

/** Own and prototype methods, so both object literals and classes can be wrapped. */
function methodNames(connector: object): string[] {
  const names = new Set<string>();
  for (let proto: object | null = connector; proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      if (typeof (connector as Record<string, unknown>)[name] === "function") names.add(name);
    }
  }
  return [...names];
}

class ManagedRuntime {
  readonly #connector: AnyConnector;
  readonly #options: ManagedOptions;
  readonly #limiter: Limiter;
  #init: Promise<void> | undefined;
  #initialized = false;
  #destroyed = false;
  /** Every request retries a failed init: a wrong password is logged once, then counted. */
  readonly #initFailures: FailureLog;
  /** Last state told to `onHealth`; undefined before the first outcome. */
  #failing: boolean | undefined;

  constructor(connector: AnyConnector, options: ManagedOptions) {
    this.#connector = connector;
    this.#options = options;
    this.#initFailures = new FailureLog({ log: options.log });
    this.#limiter = new Limiter({
      concurrency: options.concurrency ?? 16,
      queueSize: options.queueSize ?? 256,
      label: `profile ${options.profile}`,
    });
  }

  async run<T>(ctx: CallContext, work: () => Promise<T>): Promise<T> {
    const release = await this.#enter(ctx);
    try {
      const result = await work();
      if (this.#failing !== false) this.#health(undefined);
      return result;
    } catch (error) {
      throw this.#noted(this.#map(error, ctx));
    } finally {
      release();
    }
  }

  async query(request: QueryRequest, ctx: CallContext): Promise<ManagedQueryResult> {
    const release = await this.#enter(ctx);
    let result: QueryResult;
    try {
      result = await (this.#connector as { query(r: QueryRequest, c: CallContext): Promise<QueryResult> }).query(request, ctx);
    } catch (error) {
      release();
      throw this.#noted(this.#map(error, ctx));
    }
    if (this.#failing !== false) this.#health(undefined);
    const limited = limitRows(result.rows, request.maxRows, (error) => this.#map(error, ctx), release);
    return {
      columns: result.columns,
      rows: limited.rows,
      get truncated() {
        return limited.truncated();
      },
    };
  }

  async health(ctx: CallContext): Promise<void> {
    try {
      await this.#ready(ctx);
      await this.#connector.health?.(ctx);
    } catch (error) {
      const mapped = this.#map(error, ctx);
      if (mapped.code !== "CANCELLED") this.#health(mapped);
      throw mapped;
    }
    this.#health(undefined);
  }

  async close(): Promise<void> {
    if (this.#destroyed) return;
    this.#destroyed = true;
    await this.#init?.catch(() => {});
    await this.#connector.close();
  }

  async #enter(ctx: CallContext): Promise<() => void> {
    if (ctx.signal.aborted) throw abortReason(ctx.signal);
    try {
      await this.#ready(ctx);
    } catch (error) {
      throw this.#map(error, ctx);
    }
    return await this.#limiter.acquire(ctx.signal);
  }

  /** Shares one init among concurrent callers; each caller still leaves early on its own abort. */
  async #ready(ctx: CallContext): Promise<void> {
    if (this.#destroyed) throw new ConnectorError("UNAVAILABLE", `profile ${this.#options.profile} is closed`, { retryable: true });
    if (this.#initialized) return;
    this.#init ??= this.#runInit();
    await raceSignal(this.#init, ctx.signal);
  }

  async #runInit(): Promise<void> {
    try {
      await this.#connector.init?.();
      this.#initialized = true;
      this.#initFailures.clear();
      this.#health(undefined);
    } catch (error) {
      this.#init = undefined;
      const mapped = this.#map(error);
      this.#health(mapped);
      // The message is the caller-facing one (parameters and passwords already cut).
      this.#initFailures.report("warn", "connector init failed", { profile: this.#options.profile, code: mapped.code, error: mapped.message }, `${mapped.code} ${mapped.message}`);
      throw mapped;
    }
  }

  /** A call's error that says the target itself is down or refuses the login marks the profile failing. */
  #noted(error: ConnectorError): ConnectorError {
    if (error.code === "UNREACHABLE" || error.code === "AUTH_FAILED") this.#health(error);
    return error;
  }

  #health(failure: ConnectorError | undefined) {
    const failing = failure !== undefined;
    if (this.#failing === failing) return;
    this.#failing = failing;
    this.#options.onHealth?.(failure);
  }

  #map(error: unknown, ctx?: CallContext): ConnectorError {
    if (isConnectorError(error)) return error;
    if (ctx?.signal.aborted) return abortReason(ctx.signal);
    const mapped = this.#options.mapError?.(error);
    if (mapped) return mapped;
    // The driver's message may quote connection strings or values: log only its name.
    const name = error instanceof Error ? error.name : typeof error;
    this.#options.log.error("connector failed unexpectedly", { profile: this.#options.profile, errorName: name });
    return new ConnectorError("INTERNAL", `unexpected ${name} in profile ${this.#options.profile}`, { cause: error });
  }
}

async function raceSignal<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) throw abortReason(signal);
  let onAbort = () => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(abortReason(signal));
    signal.addEventListener("abort", onAbort, { once: true });
  });
  try {
    return await Promise.race([promise, aborted]);
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
}

/**
 * Cuts the batches at `maxRows`, peeking for one more row to report truncation, maps
 * errors thrown mid-stream, and releases the slot however the loop ends — also when the
 * caller never starts it and only calls `return()`.
 */
function limitRows(
  source: AsyncIterable<Row[]>,
  maxRows: number | undefined,
  map: (error: unknown) => ConnectorError,
  release: () => void,
): { rows: AsyncIterable<Row[]>; truncated: () => boolean } {
  const iterator = source[Symbol.asyncIterator]();
  let truncated = false;
  let sent = 0;
  let finished = false;
  const finish = async (): Promise<IteratorResult<Row[]>> => {
    if (!finished) {
      finished = true;
      release();
      await iterator.return?.()?.catch(() => {});
    }
    return { done: true, value: undefined };
  };
  const next = async (): Promise<IteratorResult<Row[]>> => {
    while (!finished) {
      let step: IteratorResult<Row[]>;
      try {
        step = await iterator.next();
      } catch (error) {
        finished = true;
        release();
        throw map(error);
      }
      if (step.done) {
        finished = true;
        release();
        break;
      }
      if (maxRows === undefined) return { done: false, value: step.value };
      const room = maxRows - sent;
      if (step.value.length > room) truncated = true;
      const batch = step.value.length > room ? step.value.slice(0, Math.max(room, 0)) : step.value;
      sent += batch.length;
      if (truncated && batch.length === 0) return await finish();
      if (truncated) {
        await finish();
        return { done: false, value: batch };
      }
      if (batch.length > 0) return { done: false, value: batch };
    }
    return { done: true, value: undefined };
  };
  const rows: AsyncIterableIterator<Row[]> = {
    next,
    return: finish,
    [Symbol.asyncIterator]() {
      return rows;
    },
  };
  return { rows, truncated: () => truncated };
}
