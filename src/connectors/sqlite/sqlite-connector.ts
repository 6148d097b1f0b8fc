/**
 * @module
 * The embedded SQLite connector (bun:sqlite). One connection per profile: SQLite
 * serialises writes anyway, and a statement per query gives each reader its own cursor.
 * Read-only profiles open the file with `{ readonly: true }`, so SQLite itself refuses
 * writes. Every statement first passes `SqliteStatementGuard`, which refuses the ones
 * that reach other files (ATTACH, VACUUM INTO). The one connection is shared by every
 * caller, so a transaction a call leaves open (`begin`) is rolled back when the call ends
 * instead of taking the next caller's writes with it. Rows stream in batches from
 * `stmt.iterate()`; the signal is checked between batches and the statement is finalised
 * however the loop ends.
 */
import { Database, type Statement } from "bun:sqlite";
import { isAbsolute, resolve } from "node:path";
import type { DatabaseProfile } from "../../config/types.ts";
import type { BatchRequest, CallContext, Column, DatabaseConnector, ExecuteRequest, QueryRequest, QueryResult, Row } from "../connector.ts";
import { throwIfAborted } from "../context.ts";
import type { ConnectorDeps } from "../deps.ts";
import { ConnectorError } from "../errors.ts";
import { mapSqliteError } from "./sqlite-errors.ts";
import { SqliteStatementGuard } from "./sqlite-guard.ts";
import { toParams, toRow, type SqliteParam } from "./sqlite-values.ts";

export interface SqliteConnectorOptions {
  /** The database file, or `:memory:`. Relative paths resolve against `deps.baseDir`. */
  path: string;
  /** Open read-only. Defaults to `false`. */
  readonly?: boolean;
  /** Rows per batch handed to the caller. Defaults to `500`. */
  batchSize?: number;
  /** Milliseconds a statement waits for another process's lock. Defaults to `5000`. */
  busyTimeoutMs?: number;
}

export class SqliteConnector implements DatabaseConnector {
  readonly kind = "database";
  readonly #options: SqliteConnectorOptions;
  readonly #guard = new SqliteStatementGuard();
  #db: Database | undefined;

  constructor(options: SqliteConnectorOptions) {
    this.#options = options;
  }

  async init(): Promise<void> {
    const { path, readonly = false } = this.#options;
    try {
      this.#db = readonly
        ? new Database(path, { readonly: true, safeIntegers: true, strict: true })
        : new Database(path, { create: true, readwrite: true, safeIntegers: true, strict: true });
      this.#db.run(`PRAGMA busy_timeout = ${Math.trunc(this.#options.busyTimeoutMs ?? 5000)}`);
    } catch (error) {
      throw mapSqliteError(error) ?? error;
    }
  }

  async health(ctx: CallContext): Promise<void> {
    throwIfAborted(ctx.signal);
    this.#run(() => this.#database().prepare("select 1").get());
  }

  async close(): Promise<void> {
    this.#db?.close(false);
    this.#db = undefined;
  }

  /** Runs the statement up to its first batch here, so errors and column types are known before the reply starts. */
  async query(request: QueryRequest, ctx: CallContext): Promise<QueryResult> {
    throwIfAborted(ctx.signal);
    const params = toParams(request.params);
    const stmt = this.#prepare(request.sql);
    try {
      const cursor = this.#run(() => stmt.iterate(...params)) as Iterator<Record<string, unknown>>;
      const first = this.#pull(cursor);
      return { columns: columnsOf(stmt, first.raw[0]), rows: this.#batches(stmt, cursor, first, ctx.signal) };
    } catch (error) {
      stmt.finalize();
      this.#settle();
      throw error;
    }
  }

  async execute(request: ExecuteRequest, ctx: CallContext): Promise<{ rowsAffected: number }> {
    throwIfAborted(ctx.signal);
    const params = toParams(request.params);
    const stmt = this.#prepare(request.sql);
    return this.#run(() => {
      try {
        return { rowsAffected: stmt.run(...params).changes };
      } finally {
        stmt.finalize();
        this.#settle();
      }
    });
  }

  /** All executions in one transaction; the first failure rolls every one back. */
  async batch(request: BatchRequest, ctx: CallContext): Promise<{ rowsAffected: number }> {
    throwIfAborted(ctx.signal);
    if (!Array.isArray(request.rows)) throw new ConnectorError("BAD_REQUEST", "rows must be an array of parameter lists");
    const rows = request.rows.map(toParams);
    const stmt = this.#prepare(request.sql);
    return this.#run(() => {
      const db = this.#database();
      try {
        const all = db.transaction((lists: SqliteParam[][]) => lists.reduce((sum, list) => sum + stmt.run(...list).changes, 0));
        return { rowsAffected: all(rows) };
      } finally {
        stmt.finalize();
      }
    });
  }

  async *#batches(stmt: Statement, cursor: Iterator<Record<string, unknown>>, first: Pulled, signal: AbortSignal): AsyncGenerator<Row[]> {
    try {
      for (let batch = first; ; batch = this.#pull(cursor)) {
        if (batch.raw.length > 0) yield batch.raw.map(toRow);
        if (batch.done) return;
        throwIfAborted(signal);
      }
    } finally {
      stmt.finalize();
      this.#settle();
    }
  }

  /** Rolls back a transaction the call left open (its own `begin`), so it cannot outlive the call. */
  #settle(): void {
    const db = this.#db;
    if (db?.inTransaction) this.#run(() => db.run("rollback"));
  }

  #pull(cursor: Iterator<Record<string, unknown>>): Pulled {
    const size = this.#options.batchSize ?? 500;
    const raw: Record<string, unknown>[] = [];
    return this.#run(() => {
      while (raw.length < size) {
        const step = cursor.next();
        if (step.done) return { raw, done: true };
        raw.push(step.value);
      }
      return { raw, done: false };
    });
  }

  /** Prepares `sql` once the guard has let it through. */
  #prepare(sql: string): Statement {
    const db = this.#database();
    this.#guard.check(db, sql);
    return this.#run(() => db.prepare(sql));
  }

  #database(): Database {
    if (!this.#db) throw new ConnectorError("UNAVAILABLE", "the SQLite database is not open", { retryable: true });
    return this.#db;
  }

  #run<T>(work: () => T): T {
    try {
      return work();
    } catch (error) {
      throw mapSqliteError(error) ?? error;
    }
  }
}

interface Pulled {
  raw: Record<string, unknown>[];
  done: boolean;
}

/** The declared type of table columns; for expressions, the storage class of the first row's value. */
function columnsOf(stmt: Statement, firstRow: Record<string, unknown> | undefined): Column[] {
  const declared = stmt.declaredTypes;
  return stmt.columnNames.map((name, i) => ({ name, type: (declared[i] ?? storageClass(firstRow?.[name])).toLowerCase() }));
}

function storageClass(value: unknown): string {
  if (typeof value === "bigint") return "integer";
  if (typeof value === "number") return "real";
  if (typeof value === "string") return "text";
  if (value instanceof Uint8Array) return "blob";
  return "";
}

/** The factory the registry calls for `adapter: sqlite`. */
export function createSqliteConnector(profile: DatabaseProfile, deps: ConnectorDeps): SqliteConnector {
  if (!profile.path) throw new ConnectorError("BAD_REQUEST", `profile ${deps.name}: sqlite needs a path`);
  const path = profile.path === ":memory:" || isAbsolute(profile.path) ? profile.path : resolve(deps.baseDir ?? ".", profile.path);
  return new SqliteConnector({ path, readonly: profile.readonly });
}
