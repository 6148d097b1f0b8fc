/**
 * @module
 * Keeps SQLite statements inside the profile's database file and keeps each call from
 * changing the shared connection for the callers after it. bun:sqlite has no authorizer
 * hook, so each statement's compiled program is read with `EXPLAIN` before it runs, and
 * refused when it would:
 * - reach another file on the agent host (`FORBIDDEN_PATH`): `ATTACH`/`DETACH` (compiled to
 *   a call of the internal `sqlite_attach` / `sqlite_detach` function — even a read-only
 *   connection can attach and read any SQLite file) and `VACUUM INTO` (the `Vacuum` opcode
 *   with a file name register, which writes a new file even from a read-only profile);
 * - write the `temp` schema (`BAD_REQUEST`): a temp table or view shadows the main table of
 *   the same name and a temp trigger fires on every caller's writes, and the temp schema is
 *   writable even on a read-only connection. Every such program opens a write transaction
 *   on database 1, which is always `temp`.
 *
 * Pragmas take effect while the statement is compiled — `EXPLAIN` included — so they are
 * judged from the text first, read with SQLite's own lexical rules (`sqlite-pragmas.ts`).
 * Plain `VACUUM` passes, and a leading `EXPLAIN` is only compiled, never run. Verdicts are
 * kept per SQL text in a small LRU, so a repeated statement costs one map lookup.
 */
import type { Database } from "bun:sqlite";
import { ConnectorError } from "../errors.ts";
import { mapSqliteError } from "./sqlite-errors.ts";
import { readHead } from "./sqlite-pragmas.ts";

/**
 * Pragmas whose setter changes the whole process and points SQLite at another folder.
 * Refused by name anywhere in the text, before the cache: the check is one regex.
 */
const DIRECTORY_PRAGMA = /(?:temp|data)_store_directory/i;
const ATTACH_CALL = /^sqlite_(?:attach|detach)\(/;
/** SQLite numbers its schemas: 0 is `main`, 1 is always `temp`. */
const TEMP_SCHEMA = 1;

/** Defaults to 256 SQL texts. */
const DEFAULT_CACHE_SIZE = 256;

interface ProgramStep {
  opcode: string;
  p1: number | bigint;
  p2: number | bigint;
  p4: unknown;
}

interface Refusal {
  code: "FORBIDDEN_PATH" | "BAD_REQUEST";
  message: string;
}

export class SqliteStatementGuard {
  readonly #cacheSize: number;
  /** SQL text → why it is refused, or `null` when allowed. Map order is the LRU order. */
  readonly #verdicts = new Map<string, Refusal | null>();

  /** `cacheSize`: SQL texts whose verdict is remembered. Defaults to `256`. */
  constructor(options: { cacheSize?: number } = {}) {
    this.#cacheSize = options.cacheSize ?? DEFAULT_CACHE_SIZE;
  }

  /** Throws `FORBIDDEN_PATH` when `sql` would touch another file, `BAD_REQUEST` when it would change the connection for later callers. */
  check(db: Database, sql: string): void {
    if (DIRECTORY_PRAGMA.test(sql)) throw forbiddenPath("PRAGMA temp_store_directory / data_store_directory is not allowed");
    let verdict = this.#verdicts.get(sql);
    if (verdict === undefined) {
      verdict = judge(db, sql);
      if (this.#verdicts.size >= this.#cacheSize) this.#verdicts.delete(this.#verdicts.keys().next().value!);
    } else {
      this.#verdicts.delete(sql);
    }
    this.#verdicts.set(sql, verdict);
    if (verdict) throw new ConnectorError(verdict.code, verdict.message);
  }
}

function judge(db: Database, sql: string): Refusal | null {
  const head = readHead(sql);
  if (head.pragmaRefusal) return { code: "BAD_REQUEST", message: head.pragmaRefusal };
  // An EXPLAIN is only compiled, never run, so it cannot open files or create objects.
  return head.explain ? null : inspect(db, sql);
}

/** Compiles `EXPLAIN <sql>` and reads its program. A statement that does not compile fails here, as it would when run. */
function inspect(db: Database, sql: string): Refusal | null {
  let steps: ProgramStep[];
  try {
    const explain = db.prepare(`EXPLAIN ${sql}`);
    try {
      steps = explain.all() as unknown as ProgramStep[];
    } finally {
      explain.finalize();
    }
  } catch (error) {
    throw mapSqliteError(error) ?? error;
  }
  for (const step of steps) {
    if (typeof step.p4 === "string" && ATTACH_CALL.test(step.p4)) return refusePath("ATTACH and DETACH are not allowed");
    if (step.opcode === "Vacuum" && Number(step.p2) !== 0) return refusePath("VACUUM INTO is not allowed");
    if (step.opcode === "Transaction" && Number(step.p1) === TEMP_SCHEMA && Number(step.p2) !== 0) {
      return {
        code: "BAD_REQUEST",
        message: "TEMP tables, views, triggers and indexes are not allowed: they would stay on the connection every later caller shares",
      };
    }
  }
  return null;
}

function refusePath(reason: string): Refusal {
  return { code: "FORBIDDEN_PATH", message: `the statement could reach files outside the database: ${reason}` };
}

function forbiddenPath(reason: string): ConnectorError {
  const { code, message } = refusePath(reason);
  return new ConnectorError(code, message);
}
