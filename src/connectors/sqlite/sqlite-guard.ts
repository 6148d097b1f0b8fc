/**
 * @module
 * Keeps SQLite statements inside the profile's database file. bun:sqlite has no
 * authorizer hook, so each statement's compiled program is read with `EXPLAIN` before it
 * runs, and refused with `FORBIDDEN_PATH` when it would reach another file on the agent
 * host: `ATTACH`/`DETACH` (compiled to a call of the internal `sqlite_attach` /
 * `sqlite_detach` function — even a read-only connection can attach and read any SQLite
 * file) and `VACUUM INTO` (the `Vacuum` opcode with a file name register, which writes a
 * new file even from a read-only profile). Plain `VACUUM` passes.
 *
 * `PRAGMA temp_store_directory` / `data_store_directory` take effect while the statement
 * is compiled — `EXPLAIN` included — and change the whole process, so they are refused by
 * their name in the text before anything is compiled. Verdicts are kept per SQL text in a
 * small LRU, so a repeated statement costs one map lookup.
 */
import type { Database } from "bun:sqlite";
import { ConnectorError } from "../errors.ts";
import { mapSqliteError } from "./sqlite-errors.ts";

/** Pragmas whose setter runs at compile time and points SQLite at another folder. */
const DIRECTORY_PRAGMA = /(?:temp|data)_store_directory/i;
/** A statement that is itself an EXPLAIN: only compiled, never run, so it cannot open files. */
const LEADING_EXPLAIN = /^(?:\s+|--[^\n]*(?:\n|$)|\/\*[\s\S]*?(?:\*\/|$))*explain\b/i;
const ATTACH_CALL = /^sqlite_(?:attach|detach)\(/;

/** Defaults to 256 SQL texts. */
const DEFAULT_CACHE_SIZE = 256;

interface ProgramStep {
  opcode: string;
  p2: number | bigint;
  p4: unknown;
}

export class SqliteStatementGuard {
  readonly #cacheSize: number;
  /** SQL text → refusal reason, or `""` when allowed. Map order is the LRU order. */
  readonly #verdicts = new Map<string, string>();

  /** `cacheSize`: SQL texts whose verdict is remembered. Defaults to `256`. */
  constructor(options: { cacheSize?: number } = {}) {
    this.#cacheSize = options.cacheSize ?? DEFAULT_CACHE_SIZE;
  }

  /** Throws `FORBIDDEN_PATH` when `sql` would touch a file other than the profile's database. */
  check(db: Database, sql: string): void {
    if (DIRECTORY_PRAGMA.test(sql)) throw forbidden("PRAGMA temp_store_directory / data_store_directory is not allowed");
    let verdict = this.#verdicts.get(sql);
    if (verdict === undefined) {
      verdict = LEADING_EXPLAIN.test(sql) ? "" : inspect(db, sql);
      if (this.#verdicts.size >= this.#cacheSize) this.#verdicts.delete(this.#verdicts.keys().next().value!);
    } else {
      this.#verdicts.delete(sql);
    }
    this.#verdicts.set(sql, verdict);
    if (verdict) throw forbidden(verdict);
  }
}

/** Compiles `EXPLAIN <sql>` and reads its program. A statement that does not compile fails here, as it would when run. */
function inspect(db: Database, sql: string): string {
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
    if (typeof step.p4 === "string" && ATTACH_CALL.test(step.p4)) return "ATTACH and DETACH are not allowed";
    if (step.opcode === "Vacuum" && Number(step.p2) !== 0) return "VACUUM INTO is not allowed";
  }
  return "";
}

function forbidden(reason: string): ConnectorError {
  return new ConnectorError("FORBIDDEN_PATH", `the statement could reach files outside the database: ${reason}`);
}
