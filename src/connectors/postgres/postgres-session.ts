/**
 * @module
 * One call's connection: taken from the pool for the call alone, and handed back only
 * as the pool first gave it out. postgres.js does not reset connections between callers,
 * so:
 *
 * - A call's statements go through the extended protocol (`SINGLE_STATEMENT`, even
 *   without parameters), which takes exactly one statement: `commit; begin; insert …` is
 *   refused by the server. `postgres-guard.ts` refuses transaction control on top.
 * - Read-only profiles run the call inside `BEGIN READ ONLY` followed by a `SELECT`,
 *   which takes the transaction's first snapshot: after it PostgreSQL refuses
 *   `SET TRANSACTION READ WRITE`, and inside a transaction block `COMMIT` in a `DO` or a
 *   procedure fails ("invalid transaction termination"), so nothing the call sends can
 *   leave read-only mode. (`default_transaction_read_only` from the startup packet stays
 *   as a further guard.)
 * - After the call, `RESET` runs on the same connection: it ends any transaction and
 *   undoes every session change a statement can make (see the list below). It is sent
 *   right behind the call's statement, in the same round trip, and the connection goes
 *   back to the pool only once it has succeeded. A reset that fails (a cancel or a
 *   `statement_timeout` hitting it, the connection breaking) destroys the connection
 *   (`postgres-slots.ts`); the next caller gets a fresh one.
 * - A cancel request sent for this call is waited for before the connection is handed
 *   back, so it can never land on the next caller's `BEGIN READ ONLY`.
 *
 * `DEALLOCATE ALL` cannot break postgres.js's prepared-statement cache: `unsafe()` never
 * names its statements (`prepare: false`). Were named statements ever turned on, this
 * reset would have to drop only `pg_prepared_statements.from_sql` ones instead.
 */
import type postgres from "postgres";
import type { Logger } from "../../log/logger.ts";
import type { PostgresPool } from "./postgres-pool.ts";
import type { ConnectionSlots } from "./postgres-slots.ts";

/** Options for `unsafe()`: the extended protocol even without parameters. */
export const SINGLE_STATEMENT = { simple: false } as postgres.UnsafeQueryOptions;

/** Opens a read-only transaction and takes its first snapshot, after which it cannot turn read-write. */
export const BEGIN_READ_ONLY = "begin read only; select";

/**
 * What every call's connection is put back to, in one simple query. The transaction
 * ends first (ours, or one a statement opened); then cursors, `SET ROLE` and
 * `SET SESSION AUTHORIZATION`, every `SET`/`set_config` (back to the startup packet's
 * values), prepared statements, `LISTEN`, session advisory locks, `currval`/`lastval`
 * and temporary tables. `DISCARD ALL` would add `DISCARD PLANS` (costly for callers of
 * functions, and no caller-visible state) and cannot run in a multi-statement query.
 */
export const RESET = "rollback; close all; set session authorization default; reset all; deallocate all; unlisten *; "
  + "select pg_advisory_unlock_all(); discard sequences; discard temp";

/** The statement runner a call uses: one connection of its own. */
export type PostgresSession = Pick<postgres.Sql, "unsafe">;

export interface PostgresLease {
  readonly sql: PostgresSession;
  /** Sends a cancel request for `query`; the connection is not handed back before it has arrived. */
  cancel(query: { cancel(): unknown }): void;
  /**
   * Queues the reset behind every statement sent so far, so it travels in their round
   * trip; nothing may be sent on `sql` after it. `end()` does it if nobody did.
   */
  done(): void;
  /** Waits for the reset and hands the connection back, or destroys it. Never throws. */
  end(): Promise<void>;
}

export interface SessionOptions {
  readonly: boolean;
  log: Logger;
}

type Sent = Promise<unknown>;

/** Takes a connection for one call; for `readonly` the READ ONLY transaction is already sent ahead of the call's statement. */
export async function leaseSession(slots: ConnectionSlots, options: SessionOptions): Promise<PostgresLease> {
  const client = await slots.acquire();
  const sent: Sent[] = [];
  const send = (sql: string) => {
    const query = client.unsafe(sql).execute() as unknown as Sent;
    // Awaited in `end()`; a failure there destroys the connection.
    query.catch(() => {});
    sent.push(query);
  };
  // If it failed, the statement behind it fails with it or runs in the still read-only session.
  if (options.readonly) send(BEGIN_READ_ONLY);
  const cancels: Promise<unknown>[] = [];
  let queued = false;
  let ended: Promise<void> | undefined;
  const done = () => {
    if (!queued) (queued = true, send(RESET));
  };
  return {
    sql: client,
    cancel(query) {
      cancels.push(Promise.resolve(query.cancel()).catch(() => {}));
    },
    done,
    end() {
      done();
      return (ended ??= finish(slots, client, sent, cancels, options));
    },
  };
}

async function finish(slots: ConnectionSlots, client: PostgresPool, sent: Sent[], cancels: Promise<unknown>[], options: SessionOptions): Promise<void> {
  try {
    await Promise.all([...sent, ...cancels]);
    // A cancel that reached the backend only after the reset answered is still pending
    // there: a second reset takes it (and fails, destroying the connection) rather than
    // the next caller's first statement.
    if (cancels.length > 0) await client.unsafe(RESET);
    slots.release(client);
  } catch (error) {
    const code = String((error as { code?: unknown } | undefined)?.code ?? "");
    // A broken connection the call has reported already; anything else is worth a line.
    if (!/^(E[A-Z]+|CONNECTION_\w+)$/.test(code)) options.log.warn("postgres connection dropped: its reset after a call failed", { code });
    await slots.destroy(client);
  }
}
