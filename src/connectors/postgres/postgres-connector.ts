/**
 * @module
 * The PostgreSQL connector (postgres.js). Queries run with bound parameters through the
 * extended protocol and stream from a portal in batches (`cursor`), so the agent never
 * holds more than one batch of a large result. An aborted call sends a PostgreSQL cancel
 * request, which stops the statement on the server. A call is one statement and never
 * transaction control; on `readonly` profiles it runs in a READ ONLY transaction of its
 * own (`postgres-session.ts`). `default_transaction_read_only=on` in every session stays
 * as a second guard (see `postgres-pool.ts`).
 */
import type { DatabaseProfile } from "../../config/types.ts";
import type { Logger } from "../../log/logger.ts";
import type {
  BatchRequest, CallContext, CallRequest, CallResult, Column, DatabaseConnector, ExecuteRequest, JsonValue,
  QueryRequest, QueryResult, Row,
} from "../connector.ts";
import { abortReason, onAbort } from "../context.ts";
import { ConnectorError } from "../errors.ts";
import { mapPostgresError } from "./postgres-errors.ts";
import { createPostgresPool, type PostgresPool } from "./postgres-pool.ts";
import { leaseSession, refuseTransactionControl, SINGLE_STATEMENT, type PostgresLease } from "./postgres-session.ts";
import { buildCall, TypeNames } from "./postgres-statements.ts";
import { columnConverter, toJson, toParameter } from "./postgres-types.ts";

/** Rows fetched from the portal per round trip. */
export const POSTGRES_BATCH_ROWS = 500;

interface Described {
  columns: { name: string; type: number }[];
}

class PostgresConnector implements DatabaseConnector {
  readonly kind = "database" as const;
  readonly #profile: DatabaseProfile;
  readonly #log: Logger;
  #pool: PostgresPool | undefined;
  #catalog: PostgresPool | undefined;
  readonly #types = new TypeNames(() => (this.#catalog ??= createPostgresPool({ ...this.#profile, pool: { size: 1, idle_timeout: 60 } }, this.#log)));

  constructor(profile: DatabaseProfile, log: Logger) {
    this.#profile = profile;
    this.#log = log;
  }

  async init(): Promise<void> {
    this.#pool ??= createPostgresPool(this.#profile, this.#log);
    await this.#run(() => this.#sql().unsafe("select 1"), undefined, { sql: "select 1" });
  }

  async health(ctx: CallContext): Promise<void> {
    await this.#run(() => this.#sql().unsafe("select 1"), ctx, { sql: "select 1" });
  }

  async query(request: QueryRequest, ctx: CallContext): Promise<QueryResult> {
    const params = (request.params ?? []).map(toParameter);
    const scope = { sql: request.sql, secrets: this.#secrets(request.params) };
    refuseTransactionControl(request.sql);
    const lease = await this.#lease(ctx, scope);
    // A cursor always uses the extended protocol: one statement.
    const pending = lease.sql.unsafe(request.sql, params as never[]).values();
    const cursor = pending.cursor(POSTGRES_BATCH_ROWS)[Symbol.asyncIterator]();
    // A cancel request goes to the backend, not to a statement: sent while no fetch is
    // running it could cancel the next statement on that pooled connection instead. So
    // cancel only while the server is working for us; between batches, closing the
    // cursor is enough.
    let fetching = false;
    const fetch = async () => {
      fetching = true;
      try {
        return (await cursor.next()) as IteratorResult<unknown[][]>;
      } finally {
        fetching = false;
      }
    };
    const detach = onAbort(ctx.signal, () => {
      if (fetching) void pending.cancel();
    });
    const fail = (error: unknown) => (ctx.signal.aborted ? abortReason(ctx.signal) : mapPostgresError(error, scope));
    let first: IteratorResult<unknown[][]>;
    try {
      first = await fetch();
    } catch (error) {
      detach();
      await lease.end();
      throw fail(error);
    }
    const described = (pending as unknown as { statement?: Described }).statement?.columns ?? [];
    const names = await this.#types.resolve(described.map((column) => column.type));
    const columns: Column[] = described.map((column) => ({ name: column.name, type: names.get(column.type)! }));
    const converters = described.map((column) => columnConverter(column.type, names.get(column.type)!));
    const toRows = (batch: unknown[][]): Row[] =>
      batch.map((values) => Object.fromEntries(described.map((column, i) => [column.name, converters[i]!(values[i])])));

    async function* rows(): AsyncGenerator<Row[]> {
      // `open`: the portal may still hold rows, so leaving early must close it.
      let open = first.done !== true;
      try {
        if (open) yield toRows(first.value as unknown[][]);
        while (open) {
          if (ctx.signal.aborted) throw abortReason(ctx.signal);
          const step = await fetch().catch((error: unknown) => ((open = false), Promise.reject(error)));
          open = step.done !== true;
          if (open) yield toRows(step.value as unknown[][]);
        }
      } catch (error) {
        throw fail(error);
      } finally {
        detach();
        if (open) await cursor.return?.();
        // The transaction (read-only) or the reserved connection lives until the rows end.
        await lease.end();
      }
    }
    return { columns, rows: rows() };
  }

  async execute(request: ExecuteRequest, ctx: CallContext): Promise<{ rowsAffected: number }> {
    const params = (request.params ?? []).map(toParameter);
    const scope = { sql: request.sql, secrets: this.#secrets(request.params) };
    refuseTransactionControl(request.sql);
    return this.#withSession(ctx, scope, async (lease) => {
      const result = await this.#run(() => lease.sql.unsafe(request.sql, params as never[], SINGLE_STATEMENT), ctx, scope);
      return { rowsAffected: result.count ?? 0 };
    });
  }

  async batch(request: BatchRequest, ctx: CallContext): Promise<{ rowsAffected: number }> {
    let current: { cancel(): void } | undefined;
    const detach = onAbort(ctx.signal, () => current?.cancel());
    const scope = { sql: request.sql, secrets: this.#secrets(request.rows.flat()) };
    refuseTransactionControl(request.sql);
    const runRows = async (tx: PostgresLease["sql"]) => {
      let rowsAffected = 0;
      for (const row of request.rows) {
        if (ctx.signal.aborted) throw abortReason(ctx.signal);
        const pending = tx.unsafe(request.sql, row.map(toParameter) as never[], SINGLE_STATEMENT);
        current = pending;
        rowsAffected += (await pending).count ?? 0;
      }
      return { rowsAffected };
    };
    try {
      // Read-only: the lease is already a READ ONLY transaction; others get their own.
      return this.#profile.readonly
        ? await this.#withSession(ctx, scope, (lease) => runRows(lease.sql))
        : await this.#sql().begin((tx) => runRows(tx));
    } catch (error) {
      throw ctx.signal.aborted ? abortReason(ctx.signal) : error instanceof ConnectorError ? error : mapPostgresError(error, scope);
    } finally {
      detach();
    }
  }

  async call(request: CallRequest, ctx: CallContext): Promise<CallResult> {
    const statement = buildCall(request);
    const scope = { sql: statement.call, secrets: this.#secrets(statement.values as JsonValue[]) };
    try {
      const result = await this.#withSession(ctx, scope, (lease) =>
        this.#run(() => lease.sql.unsafe(statement.call, statement.values as never[], SINGLE_STATEMENT), ctx, scope));
      const outputs: Record<string, JsonValue> = {};
      const types = new Map((result.columns ?? []).map((column) => [column.name, column.type]));
      for (const [name, value] of Object.entries(result[0] ?? {})) outputs[name] = toJson(value, types.get(name) ?? 0);
      return { outputs, resultSets: [] };
    } catch (error) {
      // No such procedure (42883) or not a procedure (42809): try it as a function, which answers with rows.
      const sqlstate = error instanceof ConnectorError ? error.details?.sqlstate : undefined;
      if (sqlstate !== "42809" && sqlstate !== "42883") throw error;
    }
    // A failed CALL aborts a read-only transaction, so the function form gets a session of its own.
    const result = await this.#withSession(ctx, scope, (lease) =>
      this.#run(() => lease.sql.unsafe(statement.select, statement.values as never[], SINGLE_STATEMENT), ctx, scope));
    const described = result.columns ?? [];
    const names = await this.#types.resolve(described.map((column) => column.type));
    const columns = described.map((column) => ({ name: column.name, type: names.get(column.type)! }));
    const converters = described.map((column) => columnConverter(column.type, names.get(column.type)!));
    const rows = [...result].map((row) => Object.fromEntries(described.map((c, i) => [c.name, converters[i]!((row as Record<string, unknown>)[c.name])])));
    return { outputs: {}, resultSets: [{ columns, rows }] };
  }

  async close(): Promise<void> {
    await Promise.all([this.#pool?.end({ timeout: 5 }), this.#catalog?.end({ timeout: 5 })]);
  }

  #sql(): PostgresPool {
    return (this.#pool ??= createPostgresPool(this.#profile, this.#log));
  }

  /** A connection for one call (see `postgres-session.ts`); failing to get one is mapped like a statement error. */
  async #lease(ctx: CallContext, scope: { sql: string; secrets?: (JsonValue | undefined)[] }): Promise<PostgresLease> {
    try {
      return await leaseSession(this.#sql(), this.#profile.readonly === true);
    } catch (error) {
      throw ctx.signal.aborted ? abortReason(ctx.signal) : mapPostgresError(error, { ...scope, secrets: scope.secrets ?? [this.#profile.password] });
    }
  }

  async #withSession<T>(ctx: CallContext, scope: { sql: string; secrets?: (JsonValue | undefined)[] }, work: (lease: PostgresLease) => Promise<T>): Promise<T> {
    const lease = await this.#lease(ctx, scope);
    try {
      return await work(lease);
    } finally {
      await lease.end();
    }
  }

  #secrets(params: readonly JsonValue[] | undefined): (JsonValue | undefined)[] {
    return [...(params ?? []), this.#profile.password];
  }

  /** Awaits one statement, cancelling it on the server when the call aborts. */
  async #run<T>(
    start: () => PromiseLike<T> & { cancel(): unknown },
    ctx: CallContext | undefined,
    scope: { sql: string; secrets?: (JsonValue | undefined)[] },
  ): Promise<T> {
    const pending = start();
    const detach = ctx ? onAbort(ctx.signal, () => void pending.cancel()) : () => {};
    try {
      return await pending;
    } catch (error) {
      throw ctx?.signal.aborted ? abortReason(ctx.signal) : mapPostgresError(error, { ...scope, secrets: scope.secrets ?? [this.#profile.password] });
    } finally {
      detach();
    }
  }
}

/** The connector for an `adapter: postgresql` profile; the registry wraps it in the managed runtime. */
export function createPostgresConnector(profile: DatabaseProfile, deps: { log: Logger }): DatabaseConnector {
  return new PostgresConnector(profile, deps.log);
}
