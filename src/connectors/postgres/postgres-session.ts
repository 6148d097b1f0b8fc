/**
 * @module
 * How one call's statement reaches PostgreSQL so it cannot change the session for the
 * next caller of its pooled connection. postgres.js does not reset connections between
 * callers, so:
 *
 * - Every statement goes through the extended protocol (`simple: false`, even without
 *   parameters), which takes exactly one statement: `commit; begin read write; insert …`
 *   is refused by the server.
 * - Transaction control (`BEGIN`, `START`, `COMMIT`, `END`, `ROLLBACK`, `ABORT`,
 *   `SAVEPOINT`, `RELEASE`, `PREPARE TRANSACTION`) is refused before it is sent
 *   (`transactionControl`): a transaction opened by one call would swallow the next
 *   caller's statements, and a `COMMIT` would end someone else's. One statement cannot
 *   open a transaction any other way (`DO` and procedures end theirs themselves).
 * - On read-only profiles the call runs inside `BEGIN READ ONLY` of its own, which
 *   PostgreSQL will not let go read-write (`SET TRANSACTION READ WRITE` fails inside it),
 *   and which always ends in ROLLBACK, so a session `SET` made in it
 *   (`set default_transaction_read_only = off`) is undone with it.
 */
import type postgres from "postgres";
import { ConnectorError } from "../errors.ts";
import type { PostgresPool } from "./postgres-pool.ts";

/** Options for `unsafe()`: the extended protocol even without parameters. */
export const SINGLE_STATEMENT = { simple: false } as postgres.UnsafeQueryOptions;

/** The statement runner a call uses: the pool, or a read-only transaction. */
export type PostgresSession = Pick<postgres.Sql, "unsafe">;

export interface PostgresLease {
  readonly sql: PostgresSession;
  /** Ends the read-only transaction (ROLLBACK) and hands its connection back. Never throws. */
  end(): Promise<void>;
}

const TRANSACTION_CONTROL = new Set(["begin", "start", "commit", "end", "rollback", "abort", "savepoint", "release"]);

/** Throws `BAD_REQUEST` when the statement's first keyword is transaction control. */
export function refuseTransactionControl(sql: string): void {
  const [first, second] = leadingWords(sql);
  if ((first && TRANSACTION_CONTROL.has(first)) || (first === "prepare" && second === "transaction")) {
    throw new ConnectorError("BAD_REQUEST", "transaction control is not allowed: each call is one statement; use batch to run several in one transaction");
  }
}

/** The first two words of `sql`, lower case, after whitespace and comments (block comments nest in PostgreSQL). */
function leadingWords(sql: string): string[] {
  const words: string[] = [];
  let i = 0;
  while (i < sql.length && words.length < 2) {
    if (/\s/.test(sql[i]!)) i++;
    else if (sql.startsWith("--", i)) i = sql.indexOf("\n", i) < 0 ? sql.length : sql.indexOf("\n", i) + 1;
    else if (sql.startsWith("/*", i)) i = afterBlockComment(sql, i);
    else {
      const word = /^[A-Za-z_]+/.exec(sql.slice(i, i + 64))?.[0];
      if (!word) break;
      words.push(word.toLowerCase());
      i += word.length;
    }
  }
  return words;
}

function afterBlockComment(sql: string, start: number): number {
  let depth = 0;
  for (let i = start; i < sql.length; i++) {
    if (sql.startsWith("/*", i)) (depth++, i++);
    else if (sql.startsWith("*/", i)) {
      depth--;
      i++;
      if (depth === 0) return i + 1;
    }
  }
  return sql.length;
}

/** The pool itself, or for `readonly` a READ ONLY transaction held until `end()`. */
export async function leaseSession(pool: PostgresPool, readonly: boolean): Promise<PostgresLease> {
  if (!readonly) return { sql: pool, end: async () => {} };
  let finish!: (reason: unknown) => void;
  const until = new Promise<never>((_, reject) => (finish = reject));
  let done: Promise<unknown> | undefined;
  const tx = await new Promise<postgres.TransactionSql>((resolve, reject) => {
    done = pool.begin("read only", (sql) => {
      resolve(sql);
      return until;
    });
    // Rejected by `end()` on purpose (postgres.js then sends ROLLBACK), or by a failed
    // statement inside that the call has already reported: only a failed BEGIN matters here.
    done.catch(reject);
  });
  return {
    sql: tx,
    end: async () => {
      finish(new Error("read-only call finished"));
      await done?.catch(() => {});
    },
  };
}
