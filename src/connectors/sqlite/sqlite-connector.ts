/**
 * @module
 * The embedded SQLite connector (bun:sqlite). One connection per profile, on a worker
 * thread of its own (`sqlite-worker.ts` runs `SqliteEngine`): SQLite's calls are
 * synchronous, and on the agent's event loop a long statement or a wait for another
 * process's write lock would stall the tunnel until the gateway declared the link dead.
 * Here they stall only the profile's own thread; calls to that profile take turns
 * (`sqlite-channel.ts`).
 *
 * A caller that gives up (deadline or cancel) is answered at once. The statement it
 * started cannot be interrupted (bun:sqlite has no `sqlite3_interrupt`), so it finishes
 * on the worker, and a query's cursor is closed as soon as its answer arrives; a call not
 * yet started is dropped. Rows cross the thread in batches, one batch per `next` the
 * caller's reading asks for, so a large result never sits in memory.
 */
import { isAbsolute, resolve } from "node:path";
import type { DatabaseProfile } from "../../config/types.ts";
import type { BatchRequest, CallContext, Column, DatabaseConnector, ExecuteRequest, QueryRequest, QueryResult, Row } from "../connector.ts";
import { throwIfAborted } from "../context.ts";
import type { ConnectorDeps } from "../deps.ts";
import { ConnectorError } from "../errors.ts";
import { SqliteChannel, type Call } from "./sqlite-channel.ts";
import type { OpenedQuery, RowBatch, SqliteEngineOptions } from "./sqlite-engine.ts";
import { toParams, type SqliteParam } from "./sqlite-values.ts";

export type SqliteConnectorOptions = SqliteEngineOptions;

export class SqliteConnector implements DatabaseConnector {
  readonly kind = "database";
  readonly #options: SqliteConnectorOptions;
  #channel: SqliteChannel | undefined;
  /** Set by `close()`; until then a lost worker is replaced on the next call. */
  #closed = false;
  #starting: Promise<void> | undefined;

  constructor(options: SqliteConnectorOptions) {
    this.#options = options;
  }

  async init(): Promise<void> {
    this.#closed = false;
    await this.#start();
  }

  /** Starts a worker and opens the database on it; shared by concurrent callers. */
  #start(): Promise<void> {
    this.#starting ??= (async () => {
      // A worker that dies on its own (a crash, not an SQL error) is replaced by the next call.
      const channel = new SqliteChannel(spawnSqliteWorker(), () => {
        if (this.#channel === channel) this.#channel = undefined;
      });
      this.#channel = channel;
      try {
        await channel.send({ method: "open", options: this.#options });
      } catch (error) {
        this.#stop();
        throw error;
      }
    })().finally(() => (this.#starting = undefined));
    return this.#starting;
  }

  async health(ctx: CallContext): Promise<void> {
    await this.#ask({ method: "health" }, ctx);
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#channel?.send({ method: "close" }).catch(() => {});
    this.#stop();
  }

  /** Runs the statement up to its first batch, so errors and column types are known before the reply starts. */
  async query(request: QueryRequest, ctx: CallContext): Promise<QueryResult> {
    const params = toParams(request.params);
    const opened = (await this.#ask({ method: "query", sql: request.sql, params }, ctx, (late) => this.#closeCursor((late as OpenedQuery).cursor))) as OpenedQuery;
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
    if (cursor !== undefined) this.#channel?.send({ method: "closeCursor", cursor }).catch(() => {});
  }

  async #ask(call: Call, ctx: CallContext, onAbandoned?: (value: unknown) => void): Promise<unknown> {
    if (!this.#channel && !this.#closed) await this.#start();
    if (!this.#channel) throw new ConnectorError("UNAVAILABLE", "the SQLite database is not open", { retryable: true });
    return this.#channel.send(call, { signal: ctx.signal, deadline: ctx.deadline, onAbandoned });
  }

  #stop(): void {
    this.#channel?.stop(new ConnectorError("UNAVAILABLE", "the SQLite database is closed", { retryable: true }));
    this.#channel = undefined;
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
