/**
 * @module
 * The synchronous half of the SQLite connector: one bun:sqlite connection and the
 * statements open on it. It runs on the profile's worker thread (`sqlite-worker.ts`), so a
 * long statement or a wait for another process's lock (`busy_timeout`) blocks that thread
 * only, never the agent's event loop and its tunnel.
 *
 * Read-only profiles open the file with `{ readonly: true }` (`SQLITE_OPEN_READONLY`), so
 * SQLite itself refuses every write to it and no statement can undo that. The one
 * connection is shared by every caller, so every call must leave it as it found it:
 * `SqliteStatementGuard` refuses, before they run, the statements that reach other files
 * (ATTACH, VACUUM INTO) and those that would leave state behind (TEMP objects, pragma
 * setters); a transaction a call leaves open (`begin`, `savepoint`) is rolled back when the
 * call ends instead of taking the next caller's writes with it, and a connection that cannot
 * roll back is closed and opened again, never reused. A query's rows come from `stmt.iterate()`
 * in batches, one batch per `next()`; its statement is finalised when the rows end or the
 * caller closes the cursor.
 */
import { Database, type Statement } from "bun:sqlite";
import type { Column, Row } from "../connector.ts";
import { ConnectorError } from "../errors.ts";
import { mapSqliteError } from "./sqlite-errors.ts";
import { SqliteStatementGuard } from "./sqlite-guard.ts";
import { toRow, type SqliteParam } from "./sqlite-values.ts";

export interface SqliteEngineOptions {
  /** The database file (absolute), or `:memory:`. */
  path: string;
  /** Open read-only. Defaults to `false`. */
  readonly?: boolean;
  /** Rows per batch. Defaults to `500`. */
  batchSize?: number;
  /** Milliseconds a statement waits for another process's lock. Defaults to `5000`. */
  busyTimeoutMs?: number;
}

/** One batch of a query's rows; `done` when the statement has no more. */
export interface RowBatch {
  rows: Row[];
  done: boolean;
}

export interface OpenedQuery extends RowBatch {
  /** Names the open statement for `next` and `closeCursor`; absent when `done`. */
  cursor?: number;
  columns: Column[];
}

interface OpenCursor {
  stmt: Statement;
  rows: Iterator<Record<string, unknown>>;
}

export class SqliteEngine {
  readonly #options: SqliteEngineOptions;
  readonly #guard = new SqliteStatementGuard();
  readonly #cursors = new Map<number, OpenCursor>();
  #nextCursor = 1;
  #db: Database | undefined;

  constructor(options: SqliteEngineOptions) {
    this.#options = options;
  }

  open(): void {
    const { path, readonly = false } = this.#options;
    this.#db = this.#run(() =>
      readonly
        ? new Database(path, { readonly: true, safeIntegers: true, strict: true })
        : new Database(path, { create: true, readwrite: true, safeIntegers: true, strict: true }));
    this.#db.run(`PRAGMA busy_timeout = ${Math.trunc(this.#options.busyTimeoutMs ?? 5000)}`);
  }

  health(): void {
    this.#run(() => this.#database().prepare("select 1").get());
  }

  /** Runs the statement up to its first batch, so errors and column types are known before any row is sent. */
  query(sql: string, params: SqliteParam[]): OpenedQuery {
    const stmt = this.#prepare(sql);
    try {
      const rows = this.#run(() => stmt.iterate(...params)) as Iterator<Record<string, unknown>>;
      const first = this.#pull(rows);
      const columns = columnsOf(stmt, first.raw[0]);
      const batch = { rows: first.raw.map(toRow), done: first.done };
      if (first.done) {
        this.#finish(stmt);
        return { ...batch, columns };
      }
      const cursor = this.#nextCursor++;
      this.#cursors.set(cursor, { stmt, rows });
      return { ...batch, cursor, columns };
    } catch (error) {
      this.#finish(stmt);
      throw error;
    }
  }

  next(cursor: number): RowBatch {
    const open = this.#cursors.get(cursor);
    if (!open) throw new ConnectorError("BAD_REQUEST", `no open SQLite cursor ${cursor}`);
    try {
      const { raw, done } = this.#pull(open.rows);
      if (done) this.closeCursor(cursor);
      return { rows: raw.map(toRow), done };
    } catch (error) {
      this.closeCursor(cursor);
      throw error;
    }
  }

  /** Finalises a query's statement; closing one that is already gone is not an error. */
  closeCursor(cursor: number): void {
    const open = this.#cursors.get(cursor);
    if (!open) return;
    this.#cursors.delete(cursor);
    this.#finish(open.stmt);
  }

  execute(sql: string, params: SqliteParam[]): { rowsAffected: number } {
    const stmt = this.#prepare(sql);
    try {
      return { rowsAffected: this.#run(() => stmt.run(...params).changes) };
    } finally {
      this.#finish(stmt);
    }
  }

  /** All executions in one transaction; the first failure rolls every one back. */
  batch(sql: string, lists: SqliteParam[][]): { rowsAffected: number } {
    const stmt = this.#prepare(sql);
    try {
      const db = this.#database();
      const all = db.transaction((rows: SqliteParam[][]) => rows.reduce((sum, list) => sum + stmt.run(...list).changes, 0));
      return { rowsAffected: this.#run(() => all(lists)) };
    } finally {
      this.#finish(stmt);
    }
  }

  /** Closing the connection also rolls back whatever transaction is open. */
  close(): void {
    for (const { stmt } of this.#cursors.values()) stmt.finalize();
    this.#cursors.clear();
    this.#db?.close(false);
    this.#db = undefined;
  }

  /**
   * Finalises the statement and rolls back a transaction the call left open (its own
   * `begin`). A connection that cannot roll back would keep every later caller's writes
   * in that transaction: it is replaced (open cursors end with it).
   */
  #finish(stmt: Statement): void {
    stmt.finalize();
    const db = this.#db;
    if (!db?.inTransaction) return;
    try {
      db.run("rollback");
    } catch {
      this.close();
      this.open();
    }
  }

  #pull(rows: Iterator<Record<string, unknown>>): { raw: Record<string, unknown>[]; done: boolean } {
    const size = this.#options.batchSize ?? 500;
    const raw: Record<string, unknown>[] = [];
    return this.#run(() => {
      while (raw.length < size) {
        const step = rows.next();
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
