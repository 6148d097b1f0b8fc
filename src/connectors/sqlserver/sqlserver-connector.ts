/**
 * @module
 * The SQL Server connector (tedious, loaded lazily). Statements run as `sp_executesql` with
 * typed parameters named `@p1..@pn` (the SQL uses those names: `where id = @p1`). Rows
 * stream: after 500 buffered rows the request is paused, tedious stops reading the socket,
 * and the server blocks on TCP until the caller pulls the next batch. An aborted call sends
 * ATTENTION (`connection.cancel()`), the server stops the statement, and the call ends with
 * CANCELLED or TIMEOUT. After every call the pool resets the connection (RESETCONNECTION,
 * see sqlserver-pool.ts) before anyone else gets it; the caller does not wait for that.
 *
 * SQL Server has no session setting that makes a connection read-only, so a `readonly`
 * profile gets: ApplicationIntent=ReadOnly (an availability group routes it to a readable
 * secondary, which refuses writes itself); every call inside a transaction the connector
 * always rolls back, so no change persists; and READ_ONLY when a statement reports affected
 * rows. The real boundary is a read-only login (see docs/connectors.md).
 */
import type { Connection } from "tedious";
import type { DatabaseProfile } from "../../config/types.ts";
import type { Logger } from "../../log/logger.ts";
import type {
  BatchRequest, CallContext, CallRequest, CallResult, Column, DatabaseConnector, ExecuteRequest, JsonValue, QueryRequest, QueryResult, Row,
} from "../connector.ts";
import { abortReason, onAbort } from "../context.ts";
import { ConnectorError } from "../errors.ts";
import { bindCall, checkProcedureName } from "./sqlserver-call.ts";
import { mapSqlServerError } from "./sqlserver-errors.ts";
import { loadTedious, SqlServerPool, type Tedious } from "./sqlserver-pool.ts";
import { Statement, transaction } from "./sqlserver-statement.ts";
import { sqlServerToJson, sqlServerTypeName, type SqlServerColumn } from "./sqlserver-types.ts";

/** Rows handed to the caller per batch; also the most rows buffered before the request pauses. */
export const SQLSERVER_BATCH_ROWS = 500;

type Cells = { value: unknown; metadata: SqlServerColumn }[];
const toRow = (cells: Cells): Row => Object.fromEntries(cells.map((cell) => [cell.metadata.colName, sqlServerToJson(cell.value, cell.metadata)]));
const toColumns = (columns: SqlServerColumn[]): Column[] => columns.map((column) => ({ name: column.colName, type: sqlServerTypeName(column) }));
const readOnlyWrite = () => new ConnectorError("READ_ONLY", "this profile is read-only: the statement changed rows, and its changes were rolled back");

/** What one call holds: its connection, its transaction (read-only profiles) and its abort hook. */
interface Lease {
  connection: Connection;
  detach(): void;
  cancelled: boolean;
}

class SqlServerConnector implements DatabaseConnector {
  readonly kind = "database" as const;
  readonly #profile: DatabaseProfile;
  readonly #pool: SqlServerPool;

  constructor(profile: DatabaseProfile, _log: Logger) {
    this.#profile = profile;
    this.#pool = new SqlServerPool(profile);
  }

  async init(): Promise<void> {
    await this.#withLease(undefined, [], (tedious, lease) => new Statement(tedious, "SELECT 1").run(lease.connection));
  }

  async health(ctx: CallContext): Promise<void> {
    await this.#withLease(ctx, [], (tedious, lease) => new Statement(tedious, "SELECT 1").run(lease.connection));
  }

  async query(request: QueryRequest, ctx: CallContext): Promise<QueryResult> {
    const params = request.params ?? [];
    const tedious = await loadTedious();
    const lease = await this.#lease(ctx, params);
    const buffered: Row[] = [];
    let wake = () => {};
    let paused = false;
    let columns: Column[] | undefined;
    let gotColumns = () => {};
    const statement = new Statement(tedious, request.sql, {
      columns: (described) => {
        columns ??= toColumns(described);
        gotColumns();
      },
      row: (cells) => {
        buffered.push(toRow(cells));
        if (buffered.length >= SQLSERVER_BATCH_ROWS && !paused) {
          paused = true;
          statement.request.pause();
        }
        wake();
      },
    }).bind(tedious, params);
    const fail = (error: unknown) => (ctx.signal.aborted ? abortReason(ctx.signal) : mapSqlServerError(error, this.#scope(request.sql, params)));
    statement.completion.then(() => wake(), () => wake());
    lease.connection.execSql(statement.request);
    try {
      await Promise.race([new Promise<void>((resolve) => (gotColumns = resolve)), statement.completion]);
    } catch (error) {
      await this.#finish(lease, statement, false);
      throw fail(error);
    }
    const finish = (complete: boolean) => this.#finish(lease, statement, complete);
    async function* rows(): AsyncGenerator<Row[]> {
      let complete = false;
      try {
        for (;;) {
          if (ctx.signal.aborted) throw abortReason(ctx.signal);
          if (buffered.length >= SQLSERVER_BATCH_ROWS || (statement.finished && buffered.length > 0)) {
            yield buffered.splice(0, SQLSERVER_BATCH_ROWS);
            continue;
          }
          if (statement.finished) break;
          if (paused) {
            paused = false;
            statement.request.resume();
          }
          await new Promise<void>((resolve) => (wake = resolve));
        }
        await statement.completion;
        complete = true;
      } catch (error) {
        throw fail(error);
      } finally {
        // Leaving early (maxRows, a break, an abort): ATTENTION stops the server's work.
        await finish(complete);
      }
      if (statement.affected > 0 && lease.readonly) throw readOnlyWrite();
    }
    return { columns: columns ?? [], rows: rows() };
  }

  async execute(request: ExecuteRequest, ctx: CallContext): Promise<{ rowsAffected: number }> {
    const params = request.params ?? [];
    return await this.#withLease(ctx, params, async (tedious, lease) => {
      const statement = await this.#run(tedious, lease, request.sql, params, ctx);
      return { rowsAffected: statement.affected };
    }, request.sql);
  }

  async batch(request: BatchRequest, ctx: CallContext): Promise<{ rowsAffected: number }> {
    return await this.#withLease(ctx, request.rows.flat(), async (tedious, lease) => {
      if (!lease.readonly) await transaction(lease.connection, "begin");
      try {
        let rowsAffected = 0;
        for (const row of request.rows) {
          if (ctx.signal.aborted) throw abortReason(ctx.signal);
          rowsAffected += (await this.#run(tedious, lease, request.sql, row, ctx)).affected;
        }
        if (!lease.readonly) await transaction(lease.connection, "commit");
        return { rowsAffected };
      } catch (error) {
        if (!lease.readonly) await transaction(lease.connection, "rollback").catch(() => (lease.broken = true));
        throw error;
      }
    }, request.sql);
  }

  async call(request: CallRequest, ctx: CallContext): Promise<CallResult> {
    checkProcedureName(request.procedure);
    const secrets = Object.values(request.params ?? {}) as JsonValue[];
    return await this.#withLease(ctx, secrets, async (tedious, lease) => {
      const resultSets: CallResult["resultSets"] = [];
      const outputs: Record<string, JsonValue> = {};
      const statement = new Statement(tedious, request.procedure, {
        columns: (described) => resultSets.push({ columns: toColumns(described), rows: [] }),
        row: (cells) => resultSets.at(-1)?.rows.push(toRow(cells)),
      });
      bindCall(tedious, statement.request, request);
      statement.request.on("returnValue", (name, value, metadata) => {
        outputs[name] = sqlServerToJson(value, metadata as unknown as SqlServerColumn);
      });
      lease.connection.callProcedure(statement.request);
      await statement.completion;
      if (lease.readonly && statement.affected > 0) throw readOnlyWrite();
      return { outputs, resultSets };
    }, request.procedure);
  }

  async close(): Promise<void> {
    await this.#pool.close();
  }

  #scope(sql: string | undefined, secrets: readonly JsonValue[]) {
    return { sql, secrets: [...secrets, this.#profile.password], readonly: this.#profile.readonly === true };
  }

  /** A statement on the lease's connection; read-only profiles refuse one that changed rows. */
  async #run(tedious: Tedious, lease: ReadOnlyLease, sql: string, params: readonly JsonValue[], _ctx: CallContext): Promise<Statement> {
    const statement = await new Statement(tedious, sql).bind(tedious, params).run(lease.connection);
    if (lease.readonly && statement.affected > 0) throw readOnlyWrite();
    return statement;
  }

  /** Takes a connection, ties the call's abort to ATTENTION and, for read-only profiles, opens the transaction that will be rolled back. */
  async #lease(ctx: CallContext | undefined, secrets: readonly JsonValue[]): Promise<ReadOnlyLease> {
    let connection: Connection;
    try {
      connection = await this.#pool.acquire();
    } catch (error) {
      throw ctx?.signal.aborted ? abortReason(ctx.signal) : mapSqlServerError(error, this.#scope(undefined, secrets));
    }
    const lease: ReadOnlyLease = { connection, cancelled: false, broken: false, readonly: this.#profile.readonly === true, detach: () => {} };
    if (lease.readonly) {
      try {
        await transaction(connection, "begin");
      } catch (error) {
        this.#pool.release(connection, false);
        throw mapSqlServerError(error, this.#scope(undefined, secrets));
      }
    }
    lease.detach = ctx ? onAbort(ctx.signal, () => {
      lease.cancelled = true;
      connection.cancel();
    }) : () => {};
    return lease;
  }

  /** Ends a lease: waits for (or cancels) the statement, rolls back a read-only transaction, returns the connection. */
  async #finish(lease: ReadOnlyLease, statement: Statement | undefined, complete: boolean): Promise<void> {
    lease.detach();
    if (statement && !statement.finished) {
      if (!complete && !lease.cancelled) lease.connection.cancel();
      // The ATTENTION acknowledgement ends the request; a dead server never sends one.
      const ended = await Promise.race([statement.completion.then(() => true, () => true), Bun.sleep(10_000).then(() => false)]);
      if (!ended) lease.broken = true;
    }
    if (lease.readonly && !lease.broken) await transaction(lease.connection, "rollback").catch(() => (lease.broken = true));
    this.#pool.release(lease.connection, !lease.broken);
  }

  async #withLease<T>(ctx: CallContext | undefined, secrets: readonly JsonValue[], work: (tedious: Tedious, lease: ReadOnlyLease) => Promise<T>, sql?: string): Promise<T> {
    const tedious = await loadTedious();
    const lease = await this.#lease(ctx, secrets);
    try {
      return await work(tedious, lease);
    } catch (error) {
      if (error instanceof ConnectorError) throw error;
      throw ctx?.signal.aborted ? abortReason(ctx.signal) : mapSqlServerError(error, this.#scope(sql, secrets));
    } finally {
      await this.#finish(lease, undefined, true);
    }
  }
}

interface ReadOnlyLease extends Lease {
  readonly: boolean;
  /** The connection may be mid-request or its transaction state unknown: close it rather than reuse. */
  broken: boolean;
}

/** The connector for an `adapter: sqlserver` profile; the registry wraps it in the managed runtime. */
export function createSqlServerConnector(profile: DatabaseProfile, deps: { log: Logger }): DatabaseConnector {
  return new SqlServerConnector(profile, deps.log);
}
