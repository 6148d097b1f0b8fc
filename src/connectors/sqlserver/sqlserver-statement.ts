/**
 * @module
 * One tedious request and what the connector learns from it: completion, the rows a
 * statement without a result set reported as affected (INSERT, UPDATE, DELETE, MERGE — the
 * `rowsAffected` of `execute`, and the write signal of read-only profiles), and the
 * columns and rows of each result set as they stream in.
 */
import type { Connection, Request } from "tedious";
import type { JsonValue } from "../connector.ts";
import type { Tedious } from "./sqlserver-pool.ts";
import { toSqlServerParameter, type SqlServerColumn } from "./sqlserver-types.ts";

export interface StatementEvents {
  /** A result set starts. */
  columns?(columns: SqlServerColumn[]): void;
  row?(values: { value: unknown; metadata: SqlServerColumn }[]): void;
}

export class Statement {
  readonly request: Request;
  /** Resolves when the request ends; rejects with tedious's error (ECANCEL after a cancel). */
  readonly completion: Promise<void>;
  /** Sum of counts of statements that returned no result set. */
  affected = 0;
  finished = false;
  #inResultSet = false;

  /** `sql` uses `@p1..@pn` for `params[0..n-1]`; a procedure name when `procedure` is true. */
  constructor(tedious: Tedious, sql: string, events: StatementEvents = {}) {
    let settle!: (error?: Error | null) => void;
    this.completion = new Promise<void>((resolve, reject) => {
      settle = (error) => {
        this.finished = true;
        if (error) reject(error);
        else resolve();
      };
    });
    this.completion.catch(() => {}); // observed by the caller; never an unhandled rejection
    this.request = new tedious.Request(sql, (error) => settle(error));
    const counted = (rowCount: number | undefined) => {
      if (!this.#inResultSet && rowCount) this.affected += rowCount;
      this.#inResultSet = false;
    };
    this.request.on("doneInProc", counted);
    this.request.on("done", counted);
    this.request.on("columnMetadata", (columns) => {
      this.#inResultSet = true;
      events.columns?.(columns as unknown as SqlServerColumn[]);
    });
    if (events.row) this.request.on("row", (values) => events.row!(values as never));
  }

  /** Binds `params` as `@p1..@pn`. */
  bind(tedious: Tedious, params: readonly JsonValue[]): this {
    params.forEach((value, i) => {
      const parameter = toSqlServerParameter(value);
      this.request.addParameter(`p${i + 1}`, tedious.TYPES[parameter.type], parameter.value);
    });
    return this;
  }

  /** Runs the request as sp_executesql and waits for it. */
  async run(connection: Connection): Promise<this> {
    connection.execSql(this.request);
    await this.completion;
    return this;
  }
}

/** Promisified transaction control (tedious sends transaction manager requests). */
export function transaction(connection: Connection, step: "begin" | "commit" | "rollback"): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (error: Error | null | undefined) => (error ? reject(error) : resolve());
    if (step === "begin") connection.beginTransaction(done);
    else if (step === "commit") connection.commitTransaction(done);
    else connection.rollbackTransaction(done);
  });
}
