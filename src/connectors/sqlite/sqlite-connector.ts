/**
 * @module
 * The embedded SQLite connector (bun:sqlite). One connection per profile, on a worker
 * thread of its own (`sqlite-worker.ts` runs `SqliteEngine`): SQLite's calls are
 * synchronous, and on the agent's event loop a long statement or a wait for another
 * process's write lock would stall the tunnel until the gateway declared the link dead.
 * Here they stall only the profile's own thread; calls to that profile wait their turn.
 *
 * A caller that gives up (deadline or cancel) is answered at once. The statement it
 * started cannot be interrupted (bun:sqlite has no `sqlite3_interrupt`), so it finishes
 * on the worker; a query's cursor is then closed as soon as its reply arrives. A call not
 * yet started when its caller left is skipped (`CANCEL_SLOTS`, and each call's deadline). Rows cross
 * the thread in batches, one batch per `next` the caller's reading asks for, so a large
 * result never sits in memory.
 */
import { isAbsolute, resolve } from "node:path";
import type { DatabaseProfile } from "../../config/types.ts";
import type { BatchRequest, CallContext, Column, DatabaseConnector, ExecuteRequest, QueryRequest, QueryResult, Row } from "../connector.ts";
import { abortReason, throwIfAborted } from "../context.ts";
import type { ConnectorDeps } from "../deps.ts";
import { ConnectorError } from "../errors.ts";
import type { OpenedQuery, RowBatch, SqliteEngineOptions } from "./sqlite-engine.ts";
import { toParams, type SqliteParam } from "./sqlite-values.ts";
import { CANCEL_SLOTS, type EngineCall, type EngineReply } from "./sqlite-worker.ts";

export type SqliteConnectorOptions = SqliteEngineOptions;

/** An engine call without its id and deadline, which the channel adds. */
type Call = EngineCall extends infer C ? (C extends EngineCall ? Omit<C, "id" | "deadline"> : never) : never;

interface Pending {
  resolve(value: unknown): void;
  reject(error: ConnectorError): void;
}

export class SqliteConnector implements DatabaseConnector {
  readonly kind = "database";
  readonly #options: SqliteConnectorOptions;
  readonly #pending = new Map<number, Pending>();
  readonly #cancelled = new Int32Array(new SharedArrayBuffer(CANCEL_SLOTS * Int32Array.BYTES_PER_ELEMENT));
  #nextId = 1;
  #worker: Worker | undefined;

  constructor(options: SqliteConnectorOptions) {
    this.#options = options;
  }

  async init(): Promise<void> {
    const worker = spawnSqliteWorker();
    worker.onmessage = (event: MessageEvent<EngineReply>) => this.#settle(event.data);
    worker.onerror = (event: ErrorEvent) => this.#lost(worker, event.message);
    worker.unref();
    this.#worker = worker;
    try {
      await this.#ask({ method: "open", options: this.#options, cancelled: this.#cancelled });
    } catch (error) {
      this.#stop();
      throw error;
    }
  }

  async health(ctx: CallContext): Promise<void> {
    await this.#ask({ method: "health" }, ctx);
  }

  async close(): Promise<void> {
    if (!this.#worker) return;
    await this.#ask({ method: "close" }).catch(() => {});
    this.#stop();
  }

  /** Runs the statement up to its first batch, so errors and column types are known before the reply starts. */
  async query(request: QueryRequest, ctx: CallContext): Promise<QueryResult> {
    const params = toParams(request.params);
    throwIfAborted(ctx.signal);
    const { id, answer: reply } = this.#send({ method: "query", sql: request.sql, params }, ctx.deadline) as { id: number; answer: Promise<OpenedQuery> };
    // A caller that left before the reply still leaves a statement open on the worker.
    reply.then((opened) => ctx.signal.aborted && this.#closeCursor(opened.cursor), () => {});
    const opened = await this.#race(id, reply, ctx.signal);
    return { columns: opened.columns as Column[], rows: this.#batches(opened, ctx) };
  }

  async execute(request: ExecuteRequest, ctx: CallContext): Promise<{ rowsAffected: number }> {
    const params = toParams(request.params);
    return (await this.#ask({ method: "execute", sql: request.sql, params }, ctx)) as { rowsAffected: number };
  }

  /** All executions in one transaction; the first failure rolls every one back. */
  async batch(request: BatchRequest, ctx: CallContext): Promise<{ rowsAffected: number }> {
    if (!Array.isArray(request.rows)) throw new ConnectorError("BAD_REQUEST", "rows must be an array of parameter lists");
    const rows: SqliteParam[][] = request.rows.map(toParams);
    return (await this.#ask({ method: "batch", sql: request.sql, rows }, ctx)) as { rowsAffected: number };
  }

  async *#batches(first: OpenedQuery, ctx: CallContext): AsyncGenerator<Row[]> {
    let cursor = first.cursor;
    try {
      let batch: RowBatch = first;
      for (;;) {
        if (batch.rows.length > 0) yield batch.rows;
        if (batch.done) {
          cursor = undefined;
          return;
        }
        throwIfAborted(ctx.signal);
        batch = (await this.#ask({ method: "next", cursor: cursor! }, ctx)) as RowBatch;
      }
    } finally {
      // Left early, failed or cancelled: the worker finalises the statement.
      this.#closeCursor(cursor);
    }
  }

  #closeCursor(cursor: number | undefined): void {
    if (cursor !== undefined) this.#ask({ method: "closeCursor", cursor }).catch(() => {});
  }

  /** Sends one call for a caller (or for the connector itself, without `ctx`). */
  #ask(call: Call, ctx?: CallContext): Promise<unknown> {
    if (ctx?.signal.aborted) return Promise.reject(abortReason(ctx.signal));
    const { id, answer } = this.#send(call, ctx?.deadline);
    return ctx ? this.#race(id, answer, ctx.signal) : answer;
  }

  #send(call: Call, deadline?: number): { id: number; answer: Promise<unknown> } {
    const id = this.#nextId++;
    const worker = this.#worker;
    if (!worker) return { id, answer: Promise.reject(new ConnectorError("UNAVAILABLE", "the SQLite database is not open", { retryable: true })) };
    const answer = new Promise<unknown>((resolve, reject) => this.#pending.set(id, { resolve, reject }));
    // Only a thread with calls in flight keeps the process alive.
    if (this.#pending.size === 1) worker.ref();
    worker.postMessage({ ...call, id, deadline } as EngineCall);
    return { id, answer };
  }

  /**
   * The answer, or the signal's error as soon as it aborts: the caller is answered at once
   * while the worker finishes the call, or skips it if it has not started it yet.
   */
  #race<T>(id: number, answer: Promise<T>, signal: AbortSignal): Promise<T> {
    let onAbort = () => {};
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => {
        Atomics.store(this.#cancelled, id % CANCEL_SLOTS, id);
        reject(abortReason(signal));
      };
      if (signal.aborted) onAbort();
      else signal.addEventListener("abort", onAbort, { once: true });
    });
    return Promise.race([answer, aborted]).finally(() => signal.removeEventListener("abort", onAbort));
  }

  #settle(reply: EngineReply): void {
    const pending = this.#pending.get(reply.id);
    if (!pending) return;
    this.#pending.delete(reply.id);
    if (this.#pending.size === 0) this.#worker?.unref();
    if (reply.ok) pending.resolve(reply.value);
    else pending.reject(new ConnectorError(reply.error.code, reply.error.message, { retryable: reply.error.retryable, details: reply.error.details }));
  }

  /** The worker died (a crash, not an SQL error): every waiting call fails, and the next init starts a new one. */
  #lost(worker: Worker, message: string): void {
    if (this.#worker !== worker) return;
    this.#stop(new ConnectorError("UNAVAILABLE", `the SQLite worker stopped: ${message}`, { retryable: true }));
  }

  #stop(reason = new ConnectorError("UNAVAILABLE", "the SQLite database is closed", { retryable: true })): void {
    this.#worker?.terminate();
    this.#worker = undefined;
    for (const pending of this.#pending.values()) pending.reject(reason);
    this.#pending.clear();
  }
}

/**
 * Starts the profile's thread. In the compiled binary modules have no files of their own:
 * the worker starts at the executable's entry, which loads `sqlite-worker.ts` when it is
 * not on the main thread (`src/cli/main.ts`).
 */
function spawnSqliteWorker(): Worker {
  const compiled = import.meta.path.includes("$bunfs") || import.meta.path.includes("~BUN");
  return new Worker(compiled ? Bun.main : new URL("./sqlite-worker.ts", import.meta.url).href);
}

/** The factory the registry calls for `adapter: sqlite`. */
export function createSqliteConnector(profile: DatabaseProfile, deps: ConnectorDeps): SqliteConnector {
  if (!profile.path) throw new ConnectorError("BAD_REQUEST", `profile ${deps.name}: sqlite needs a path`);
  const path = profile.path === ":memory:" || isAbsolute(profile.path) ? profile.path : resolve(deps.baseDir ?? ".", profile.path);
  return new SqliteConnector({ path, readonly: profile.readonly });
}
