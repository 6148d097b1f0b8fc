/**
 * @module
 * The PostgreSQL connector (postgres.js). Queries run with bound parameters through the
 * extended protocol and stream from a portal in batches (`cursor`), so the agent never
 * holds more than one batch of a large result. An aborted call sends a PostgreSQL cancel
 * request, which stops the statement on the server. A call is one statement and never
 * transaction control (`postgres-guard.ts`). Each call reserves a connection of its own,
 * runs in a READ ONLY transaction there on `readonly` profiles, and resets it before the
 * pool hands it to anyone else (`postgres-session.ts`).
 */
import type postgres from "postgres";
import type { DatabaseProfile } from "../../config/types.ts";
import type { Logger } from "../../log/logger.ts";
import type {
  BatchRequest, CallContext, CallRequest, CallResult, Column, DatabaseConnector, ExecuteRequest, JsonValue,
  QueryRequest, QueryResult, Row,
} from "../connector.ts";
import { abortReason, onAbort } from "../context.ts";
import { ConnectorError } from "../errors.ts";
import { mapPostgresError, type ErrorScope } from "./postgres-errors.ts";
import { createPostgresPool, type PostgresPool } from "./postgres-pool.ts";
import { ConnectionSlots } from "./postgres-slots.ts";
import { refuseTransactionControl } from "./postgres-guard.ts";
import { leaseSession, SINGLE_STATEMENT, type PostgresLease } from "./postgres-session.ts";
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
  #slots: ConnectionSlots | undefined;
  #catalog: PostgresPool | undefined;
  readonly #types = new TypeNames(() => this.#side());

  constructor(profile: DatabaseProfile, log: Logger) {
    this.#profile = profile;
    this.#log = log;
  }

  async init(): Promise<void> {
    await this.#withSession(undefined, { sql: "select 1" }, (lease) => this.#statement(lease, "select 1", [], undefined, { sql: "select 1" }));
  }

  async health(ctx: CallContext): Promise<void> {
    await this.#withSession(ctx, { sql: "select 1" }, (lease) => this.#statement(lease, "select 1", [], ctx, { sql: "select 1" }));
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
    const fetch = () => {
      fetching = true;
      const next = Promise.resolve(cursor.next()) as Promise<IteratorResult<unknown[][]>>;
      next.then(() => (fetching = false), () => (fetching = false));
      return next;
    };
    const firstFetch = fetch();
    // The reset waits on the connection behind the cursor until its last row.
    lease.done();
    const detach = onAbort(ctx.signal, () => {
      if (fetching) lease.cancel(pending);
    });
    const fail = (error: unknown) => (ctx.signal.aborted ? abortReason(ctx.signal) : mapPostgresError(error, scope));
    let first: IteratorResult<unknown[][]>;
    try {
      first = await firstFetch;
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
        // The connection is the call's until the rows end. Its reset answers one round trip
        // after the cursor's last batch; the stream need not wait for that: the connection
        // goes back to the pool (or is destroyed) when it does.
        void lease.end();
      }
    }
    return { columns, rows: rows() };
  }

  async execute(request: ExecuteRequest, ctx: CallContext): Promise<{ rowsAffected: number }> {
    const params = (request.params ?? []).map(toParameter);
    const scope = { sql: request.sql, secrets: this.#secrets(request.params) };
    refuseTransactionControl(request.sql);
    return this.#withSession(ctx, scope, async (lease) => {
      const result = await this.#statement(lease, request.sql, params, ctx, scope);
      return { rowsAffected: result.count ?? 0 };
    });
  }

  async batch(request: BatchRequest, ctx: CallContext): Promise<{ rowsAffected: number }> {
    const scope = { sql: request.sql, secrets: this.#secrets(request.rows.flat()) };
    refuseTransactionControl(request.sql);
    // Read-only: the lease is already a READ ONLY transaction; others open one here.
    return this.#withSession(ctx, scope, async (lease) => {
      const begin = this.#profile.readonly ? undefined : lease.sql.unsafe("begin").execute();
      let rowsAffected = 0;
      for (const [i, row] of request.rows.entries()) {
        if (ctx.signal.aborted) throw abortReason(ctx.signal);
        const pending = lease.sql.unsafe(request.sql, row.map(toParameter) as never[], SINGLE_STATEMENT);
        // The first row travels with BEGIN; a failed BEGIN fails the call before any row counts.
        if (i === 0 && begin) await this.#await(lease, begin, ctx, scope);
        rowsAffected += (await this.#await(lease, pending, ctx, scope)).count ?? 0;
      }
      if (begin) {
        // The reset travels with COMMIT, whose answer (a deferred constraint may fail there) is the call's.
        const commit = lease.sql.unsafe("commit").execute();
        lease.done();
        await this.#await(lease, commit, ctx, scope);
      }
      return { rowsAffected };
    });
  }

  async call(request: CallRequest, ctx: CallContext): Promise<CallResult> {
    const statement = buildCall(request);
    const scope = { sql: statement.call, secrets: this.#secrets(statement.values as JsonValue[]) };
    try {
      const result = await this.#withSession(ctx, scope, (lease) => this.#statement(lease, statement.call, statement.values, ctx, scope));
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
    const result = await this.#withSession(ctx, scope, (lease) => this.#statement(lease, statement.select, statement.values, ctx, scope));
    const described = result.columns ?? [];
    const names = await this.#types.resolve(described.map((column) => column.type));
    const columns = described.map((column) => ({ name: column.name, type: names.get(column.type)! }));
    const converters = described.map((column) => columnConverter(column.type, names.get(column.type)!));
    const rows = [...result].map((row) => Object.fromEntries(described.map((c, i) => [c.name, converters[i]!((row as Record<string, unknown>)[c.name])])));
    return { outputs: {}, resultSets: [{ columns, rows }] };
  }

  async close(): Promise<void> {
    await Promise.all([this.#slots?.close(), this.#catalog?.end({ timeout: 5 })]);
  }

  #connections(): ConnectionSlots {
    const { size = 10, idle_timeout } = this.#profile.pool ?? {};
    return (this.#slots ??= new ConnectionSlots(size, () => createPostgresPool({ ...this.#profile, pool: { size: 1, idle_timeout } }, this.#log)));
  }

  /** One connection beside the pool, for type-name lookups: never one a caller may hold with a cursor. */
  #side(): PostgresPool {
    return (this.#catalog ??= createPostgresPool({ ...this.#profile, pool: { size: 1, idle_timeout: 60 } }, this.#log));
  }

  /** A connection for one call (see `postgres-session.ts`); failing to get one is mapped like a statement error. */
  async #lease(ctx: CallContext | undefined, scope: ErrorScope): Promise<PostgresLease> {
    try {
      return await leaseSession(this.#connections(), { readonly: this.#profile.readonly === true, log: this.#log });
    } catch (error) {
      throw ctx?.signal.aborted ? abortReason(ctx.signal) : mapPostgresError(error, { ...scope, secrets: scope.secrets ?? [this.#profile.password] });
    }
  }

  async #withSession<T>(ctx: CallContext | undefined, scope: ErrorScope, work: (lease: PostgresLease) => Promise<T>): Promise<T> {
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

  /** Runs the call's one statement with the reset right behind it, in the same round trip. */
  #statement(lease: PostgresLease, sql: string, params: unknown[], ctx: CallContext | undefined, scope: ErrorScope): Promise<postgres.RowList<postgres.Row[]>> {
    const pending = lease.sql.unsafe(sql, params as never[], SINGLE_STATEMENT).execute();
    lease.done();
    return this.#await(lease, pending, ctx, scope);
  }

  /** Awaits a statement sent on the lease, cancelling it on the server when the call aborts. */
  async #await<T>(lease: PostgresLease, pending: PromiseLike<T> & { cancel(): unknown }, ctx: CallContext | undefined, scope: ErrorScope): Promise<T> {
    const detach = ctx ? onAbort(ctx.signal, () => lease.cancel(pending)) : () => {};
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
