/**
 * @module
 * The MySQL / MariaDB connector (mysql2). Statements are server-side prepared
 * (`execute`), so parameters are bound, never spliced into SQL. Rows stream: mysql2 stops
 * reading the socket while a batch waits for the caller, TCP pushes back, and the server
 * blocks on its write, so a huge result never sits in the agent's memory. An aborted call
 * sends `KILL QUERY` for the connection's thread, then discards that connection.
 */
import type { DatabaseProfile } from "../../config/types.ts";
import type { Logger } from "../../log/logger.ts";
import type {
  BatchRequest, CallContext, CallRequest, CallResult, DatabaseConnector, ExecuteRequest, JsonValue, QueryRequest, QueryResult, Row,
} from "../connector.ts";
import { abortReason, onAbort } from "../context.ts";
import { ConnectorError } from "../errors.ts";
import { buildMysqlCall, readOutputs, toResultSets } from "./mysql-call.ts";
import { mapMysqlError } from "./mysql-errors.ts";
import { assertReadStatement } from "./mysql-readonly.ts";
import { acquire, createMysqlPool, killQuery, release, run, type MysqlConnection, type MysqlPool } from "./mysql-pool.ts";
import { mysqlToJson, mysqlTypeName, toMysqlParameter, type MysqlField } from "./mysql-types.ts";

/** Rows handed to the caller per batch. */
export const MYSQL_BATCH_ROWS = 500;

type Outcome = [unknown, MysqlField[] | MysqlField[][] | undefined];

class MysqlConnector implements DatabaseConnector {
  readonly kind = "database" as const;
  readonly #profile: DatabaseProfile;
  #pool: MysqlPool | undefined;

  constructor(profile: DatabaseProfile, _log: Logger) {
    this.#profile = profile;
  }

  async init(): Promise<void> {
    await this.#withConnection(undefined, (conn) => this.#statement(conn, "SELECT 1", [], undefined));
  }

  async health(ctx: CallContext): Promise<void> {
    await this.#withConnection(ctx, (conn) => this.#statement(conn, "SELECT 1", [], ctx));
  }

  async query(request: QueryRequest, ctx: CallContext): Promise<QueryResult> {
    this.#guard(request.sql);
    const scope = { sql: request.sql, secrets: [...(request.params ?? []), this.#profile.password] };
    const fail = (error: unknown) => (ctx.signal.aborted ? abortReason(ctx.signal) : mapMysqlError(error, scope));
    const conn = await this.#acquire(ctx);
    let released = false;
    let detach = () => {};
    const finish = async (kill: boolean) => {
      if (released) return;
      released = true;
      detach();
      if (!kill) return void release(conn, this.#profile);
      await killQuery(this.#profile, conn.threadId).catch(() => {});
      conn.destroy();
    };
    const command = conn.execute({ sql: request.sql, values: (request.params ?? []).map(toMysqlParameter) as never[] });
    const stream = command.stream({ objectMode: true, highWaterMark: MYSQL_BATCH_ROWS });
    detach = onAbort(ctx.signal, () => void finish(true));
    let fields: MysqlField[];
    try {
      fields = await new Promise<MysqlField[]>((resolve, reject) => {
        stream.once("fields", (received: MysqlField[] | undefined) => resolve(received ?? []));
        stream.once("end", () => resolve([]));
        stream.once("error", reject);
      });
    } catch (error) {
      await finish(true);
      throw fail(error);
    }
    const convert = (values: unknown[]): Row => Object.fromEntries(fields.map((field, i) => [field.name, mysqlToJson(values[i], field)]));
    async function* rows(): AsyncGenerator<Row[]> {
      let complete = false;
      let batch: Row[] = [];
      try {
        for await (const row of stream) {
          if (ctx.signal.aborted) throw abortReason(ctx.signal);
          if (!Array.isArray(row)) continue; // the result header of a statement without rows
          batch.push(convert(row));
          if (batch.length >= MYSQL_BATCH_ROWS) yield batch.splice(0);
        }
        // A statement KILLed at its deadline can still end normally (`SLEEP()` answers 1): not a success.
        if (ctx.signal.aborted) throw abortReason(ctx.signal);
        complete = true;
        if (batch.length > 0) yield batch;
      } catch (error) {
        throw fail(error);
      } finally {
        // Leaving early: the server is still sending; stop the statement rather than read it all.
        await finish(!complete);
      }
    }
    return { columns: fields.map((field) => ({ name: field.name, type: mysqlTypeName(field) })), rows: rows() };
  }

  async execute(request: ExecuteRequest, ctx: CallContext): Promise<{ rowsAffected: number }> {
    this.#guard(request.sql);
    const [result] = await this.#withConnection(ctx, (conn) =>
      this.#statement(conn, request.sql, request.params ?? [], ctx));
    return { rowsAffected: affected(result) };
  }

  async batch(request: BatchRequest, ctx: CallContext): Promise<{ rowsAffected: number }> {
    this.#guard(request.sql);
    return await this.#withConnection(ctx, async (conn) => {
      await run(conn, "START TRANSACTION");
      try {
        let rowsAffected = 0;
        for (const row of request.rows) {
          if (ctx.signal.aborted) throw abortReason(ctx.signal);
          rowsAffected += affected((await this.#statement(conn, request.sql, row, ctx))[0]);
        }
        await run(conn, "COMMIT");
        return { rowsAffected };
      } catch (error) {
        await run(conn, "ROLLBACK").catch(() => {});
        throw error;
      }
    });
  }

  async call(request: CallRequest, ctx: CallContext): Promise<CallResult> {
    // A procedure can COMMIT, then SET SESSION TRANSACTION READ WRITE, then write: no session setting holds it.
    if (this.#profile.readonly) throw new ConnectorError("READ_ONLY", "read-only profile: procedures cannot be called (a procedure can commit and leave read-only mode)");
    return await this.#withConnection(ctx, async (conn) => {
      const call = await buildMysqlCall(request, (sql, params) => this.#statement(conn, sql, params, ctx));
      for (const [variable, value] of call.inout) await this.#statement(conn, `SET ${variable} = ?`, [value], ctx);
      const [results, fields] = await this.#statement(conn, call.sql, call.values, ctx);
      const outputs = call.outputs.length > 0 ? await readOutputs(call.outputs, (sql) => this.#statement(conn, sql, [], ctx)) : {};
      return { outputs, resultSets: toResultSets(results, fields) };
    });
  }

  async close(): Promise<void> {
    const pool = this.#pool;
    this.#pool = undefined;
    if (pool) await new Promise<void>((resolve) => pool.end(() => resolve()));
  }

  async #acquire(ctx: CallContext | undefined): Promise<MysqlConnection> {
    this.#pool ??= createMysqlPool(this.#profile);
    try {
      return await acquire(this.#pool, this.#profile);
    } catch (error) {
      throw ctx?.signal.aborted ? abortReason(ctx.signal) : mapMysqlError(error, { secrets: [this.#profile.password] });
    }
  }

  /** Runs `work` on one connection; an abort kills its statement and the connection is discarded. */
  async #withConnection<T>(ctx: CallContext | undefined, work: (conn: MysqlConnection) => Promise<T>): Promise<T> {
    const conn = await this.#acquire(ctx);
    let killed = false;
    const detach = ctx
      ? onAbort(ctx.signal, () => {
          killed = true;
          void killQuery(this.#profile, conn.threadId).catch(() => {});
        })
      : () => {};
    try {
      const result = await work(conn);
      // A statement KILLed at its deadline can still end normally (`DO SLEEP(3)` answers OK): not a success.
      if (killed && ctx) throw abortReason(ctx.signal);
      return result;
    } finally {
      detach();
      if (killed) conn.destroy();
      else void release(conn, this.#profile);
    }
  }

  /** The read-only profile's second line (mysql-readonly.ts); the first is the session the pool sets up. */
  #guard(sql: string): void {
    if (this.#profile.readonly) assertReadStatement(sql);
  }

  /** One prepared statement; errors come back mapped (or as the call's abort reason). */
  async #statement(conn: MysqlConnection, sql: string, params: readonly JsonValue[], ctx: CallContext | undefined): Promise<Outcome> {
    try {
      return await new Promise<Outcome>((resolve, reject) =>
        conn.execute({ sql, values: params.map(toMysqlParameter) as never[] }, (error, result, fields) =>
          error ? reject(error) : resolve([result, fields as Outcome[1]])));
    } catch (error) {
      throw ctx?.signal.aborted ? abortReason(ctx.signal) : mapMysqlError(error, { sql, secrets: [...params, this.#profile.password] });
    }
  }
}

function affected(result: unknown): number {
  return typeof (result as { affectedRows?: unknown })?.affectedRows === "number" ? (result as { affectedRows: number }).affectedRows : 0;
}

/** The connector for an `adapter: mysql` profile (MySQL and MariaDB); the registry wraps it in the managed runtime. */
export function createMysqlConnector(profile: DatabaseProfile, deps: { log: Logger }): DatabaseConnector {
  return new MysqlConnector(profile, deps.log);
}
