/**
 * @module
 * The second line of a `readonly` MySQL/MariaDB profile: only read statements reach the
 * server. The first line is the server's (a READ ONLY session and a READ ONLY transaction
 * around every call, see mysql-pool.ts), but MariaDB lets one statement undo it for DDL:
 * `SET STATEMENT tx_read_only=0 FOR DROP TABLE t` commits the read-only transaction
 * implicitly and runs with the statement's own setting. So this guard is an allow-list by
 * the statement's first keyword, on the tokens of mysql-lexer.ts:
 *
 * - allowed first keywords: SELECT, WITH, VALUES, TABLE, SHOW, DESCRIBE, DESC, EXPLAIN, `(`;
 * - refused anywhere: executable comments (`/*!…*\/`, `/*M!…*\/`: code the server may run),
 *   `INTO` (`INTO OUTFILE`/`DUMPFILE` write files), `FOR UPDATE` and `LOCK IN SHARE MODE`
 *   (they take write locks), UPDATE, DELETE, and INSERT / REPLACE unless a `(` follows
 *   (then they are the string functions `INSERT()` / `REPLACE()`), which stops
 *   `EXPLAIN DELETE …` and any form of `WITH … UPDATE`.
 *
 * A backslash makes the statement lexed twice, with and without backslash escapes, and both
 * readings must pass: the guard cannot know whether the session has NO_BACKSLASH_ESCAPES.
 */
import { ConnectorError } from "../errors.ts";
import { lexMysql, MysqlLexError, type MysqlToken } from "./mysql-lexer.ts";

const READ_STATEMENTS = new Set(["SELECT", "WITH", "VALUES", "TABLE", "SHOW", "DESCRIBE", "DESC", "EXPLAIN"]);
const WRITE_WORDS = new Set(["INSERT", "UPDATE", "DELETE", "REPLACE"]);
/** Write keywords that are also string functions when a `(` follows. */
const FUNCTIONS = new Set(["INSERT", "REPLACE"]);

/** Throws `READ_ONLY` unless `sql` is one read statement by the rules above. */
export function assertReadStatement(sql: string): void {
  check(sql, true);
  if (sql.includes("\\")) check(sql, false);
}

function check(sql: string, backslashEscapes: boolean): void {
  let tokens: MysqlToken[];
  try {
    tokens = lexMysql(sql, { backslashEscapes });
  } catch (error) {
    if (error instanceof MysqlLexError) throw refuse(`it has an ${error.message}`);
    throw error;
  }
  const first = tokens[0];
  const leading = first?.kind === "word" || first?.kind === "symbol" ? first.text : "";
  if (leading !== "(" && !READ_STATEMENTS.has(leading)) throw refuse(`only SELECT, WITH, VALUES, TABLE, SHOW, DESCRIBE and EXPLAIN run here, not ${leading || "this statement"}`);
  tokens.forEach((token, index) => {
    if (token.kind === "executable-comment") throw refuse("executable comments (/*! … */, /*M! … */) are refused");
    if (token.kind !== "word") return;
    const next = tokens[index + 1];
    const nextText = next?.kind === "word" || next?.kind === "symbol" ? next.text : "";
    if (token.text === "INTO") throw refuse("SELECT … INTO is refused");
    if (token.text === "FOR" && nextText === "UPDATE") throw refuse("FOR UPDATE is refused");
    if (token.text === "LOCK" && nextText === "IN") throw refuse("LOCK IN SHARE MODE is refused");
    if (WRITE_WORDS.has(token.text) && !(FUNCTIONS.has(token.text) && nextText === "(")) throw refuse(`${token.text} is refused`);
  });
}

const refuse = (why: string) => new ConnectorError("READ_ONLY", `read-only profile: ${why}`);
