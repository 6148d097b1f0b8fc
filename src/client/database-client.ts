/**
 * @module
 * A database profile of a group: `query` (JSON, retried when the gateway says it may be),
 * `stream` (NDJSON rows as an async iterable), both with rows as objects or, with
 * `{ rows: "arrays" }`, as arrays in column order; and `execute`, `batch`, `call`, which
 * change data and are never retried. Parameters are positional, in the profile's own
 * placeholder style (`$1` for PostgreSQL, `?` for MySQL and SQLite).
 */
import { RowStream } from "./ndjson.ts";
import { segment, type CallOptions, type Transport } from "./transport.ts";
import type { CallResult, Column, JsonValue, QueryResult, Row } from "./types.ts";

export interface DatabaseCallOptions extends CallOptions {
  /**
   * The deadline the gateway and agent enforce, in ms (the gateway's default is 300,000).
   * The client also waits this long (plus 5 s) for the answer's headers.
   */
  timeoutMs?: number;
}

export interface QueryOptions extends DatabaseCallOptions {
  /** Rows to return at most; more sets `truncated`. Defaults to the profile's cap. */
  maxRows?: number;
  /**
   * `"objects"` (the default): each row keyed by column name. `"arrays"`: each row's
   * values in column order, next to `columns` — no keys to build or read. A column name
   * given twice (`select a.id, b.id`) still holds one value in both places: name the
   * columns apart.
   */
  rows?: "objects" | "arrays";
}

/** {@link QueryOptions} asking for rows as arrays. */
export type ArrayRowsOptions = QueryOptions & { rows: "arrays" };

/** Extra wait for headers beyond the server's deadline, so the server's TIMEOUT arrives first. */
const HEADER_GRACE_MS = 5000;

export class DatabaseClient {
  readonly #transport: Transport;
  readonly #path: string;

  /** Made by `client.group(name).db(profile)`. */
  constructor(transport: Transport, group: string, profile: string) {
    this.#transport = transport;
    this.#path = `/v1/groups/${segment(group)}/db/${segment(profile)}`;
  }

  /** Runs a query and reads the whole result. For large results use {@link stream}. */
  query(sql: string, params: JsonValue[] | undefined, options: ArrayRowsOptions): Promise<QueryResult<JsonValue[]>>;
  query<R = Row>(sql: string, params?: JsonValue[], options?: QueryOptions): Promise<QueryResult<R>>;
  async query(sql: string, params: JsonValue[] = [], options: QueryOptions = {}): Promise<QueryResult<unknown>> {
    const arrays = options.rows === "arrays";
    const result = await this.#transport.json<QueryResult<unknown>>({
      ...this.#post("query", { sql, params, maxRows: options.maxRows, timeoutMs: options.timeoutMs }, options),
      headers: { "content-type": "application/json", accept: arrays ? "application/json; rows=arrays" : "application/json" },
      idempotent: true,
    });
    // A gateway or agent older than the row forms answers objects whatever was asked.
    if (arrays && result.rows.some((row) => !Array.isArray(row))) result.rows = result.rows.map((row) => valuesOf(result.columns, row as Row));
    return result;
  }

  /**
   * Runs a query and streams its rows as they come. Iterate the result (or `cancel()` it):
   * an unread stream holds the query open on the database until the deadline.
   */
  stream(sql: string, params: JsonValue[] | undefined, options: ArrayRowsOptions): RowStream<JsonValue[]>;
  stream<R = Row>(sql: string, params?: JsonValue[], options?: QueryOptions): RowStream<R>;
  stream(sql: string, params: JsonValue[] = [], options: QueryOptions = {}): RowStream<unknown> {
    const body = { sql, params, maxRows: options.maxRows, timeoutMs: options.timeoutMs };
    // Arrays on the wire either way (every gateway's NDJSON default): objects are built here.
    return new RowStream((signal) =>
      this.#transport.send({
        ...this.#post("query", body, { ...options, signal }),
        headers: { "content-type": "application/json", accept: "application/x-ndjson" },
        idempotent: true,
      }),
    options.signal, { rows: options.rows });
  }

  /** Runs a statement that changes data. Never retried. */
  execute(sql: string, params: JsonValue[] = [], options: DatabaseCallOptions = {}): Promise<{ rowsAffected: number }> {
    return this.#transport.json(this.#post("execute", { sql, params, timeoutMs: options.timeoutMs }, options));
  }

  /** Runs one statement once per parameter list, in one transaction. Never retried. */
  batch(sql: string, rows: JsonValue[][], options: DatabaseCallOptions = {}): Promise<{ rowsAffected: number }> {
    return this.#transport.json(this.#post("batch", { sql, rows, timeoutMs: options.timeoutMs }, options));
  }

  /** Calls a stored procedure with named parameters. Never retried. */
  call(procedure: string, params: Record<string, JsonValue> = {}, options: DatabaseCallOptions = {}): Promise<CallResult> {
    return this.#transport.json(this.#post("call", { procedure, params, timeoutMs: options.timeoutMs }, options));
  }

  #post(op: string, body: Record<string, unknown>, options: DatabaseCallOptions) {
    return {
      method: "POST",
      path: `${this.#path}/${op}`,
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
      signal: options.signal,
      requestId: options.requestId,
      timeoutMs: options.timeoutMs === undefined ? undefined : options.timeoutMs + HEADER_GRACE_MS,
    };
  }
}

function valuesOf(columns: Column[], row: Row): JsonValue[] {
  return columns.map((column) => row[column.name] ?? null);
}
