/**
 * @module
 * Which pragmas a call may run. A pragma that sets something (`PRAGMA x = v`,
 * `PRAGMA x(v)`) changes the one connection every caller of the profile shares —
 * `query_only`, `foreign_keys`, `case_sensitive_like`, `writable_schema`, `journal_mode`,
 * `locking_mode`, `busy_timeout`, … — and some change the whole process
 * (`soft_heap_limit`, `hard_heap_limit`). Many take effect while the statement is compiled,
 * so they are refused from the text, before SQLite sees it: a pragma with a value is
 * allowed only when the value is an argument to a read (`table_info(t)`), a field of the
 * file itself (`user_version`, `application_id`, refused by SQLite on a read-only file), or
 * an operation on the file (`wal_checkpoint(truncate)`) — and only on `main`: the temp
 * schema belongs to the connection. Reading any pragma is allowed.
 * Table-valued pragma functions (`pragma_query_only`) take an argument only for the reads.
 */
import { firstStatement, nameOf, type Token } from "./sqlite-tokens.ts";

/** Pragmas whose value is an argument to a read, a field of the file, or an operation on the file, never a setting of the connection. */
const VALUE_ALLOWED = new Set([
  "table_info",
  "table_xinfo",
  "table_list",
  "index_info",
  "index_xinfo",
  "index_list",
  "foreign_key_list",
  "foreign_key_check",
  "integrity_check",
  "quick_check",
  "user_version",
  "application_id",
  "incremental_vacuum",
  "wal_checkpoint",
  "optimize",
]);

export interface StatementHead {
  /** The statement starts with `EXPLAIN` (or `EXPLAIN QUERY PLAN`): it is compiled, never run. */
  explain: boolean;
  /** Why the statement is refused, when it is a pragma that sets something. */
  pragmaRefusal?: string;
}

/** Reads the first statement's leading keywords. */
export function readHead(sql: string): StatementHead {
  const tokens = firstStatement(sql);
  let explain = false;
  let token = tokens.next().value;
  while (isWord(token, "explain")) {
    explain = true;
    token = tokens.next().value;
    if (isWord(token, "query")) {
      token = tokens.next().value;
      if (isWord(token, "plan")) token = tokens.next().value;
    }
  }
  if (!isWord(token, "pragma")) return { explain };
  return { explain, pragmaRefusal: pragmaRefusal([...tokens]) };
}

/** `rest`: the tokens after `PRAGMA`. Undefined when the pragma only reads. */
function pragmaRefusal(rest: Token[]): string | undefined {
  const valueAt = rest.findIndex((t) => t.kind === "symbol" && (t.text === "=" || t.text === "("));
  if (valueAt === -1) return undefined;
  const target = rest.slice(0, valueAt);
  // `name` or `schema.name`, exactly; anything else is not a pragma SQLite would take.
  const shaped =
    (target.length === 1 && isName(target[0])) ||
    (target.length === 3 && isName(target[0]) && target[1]!.text === "." && isName(target[2]));
  const name = shaped ? asciiLower(nameOf(target.at(-1)!)) : undefined;
  // The temp schema's header fields are the connection's too (`pragma temp.user_version = 5`).
  const inMain = target.length === 1 || asciiLower(nameOf(target[0]!)) === "main";
  if (name !== undefined && inMain && VALUE_ALLOWED.has(name)) return undefined;
  const shown = name === undefined ? "PRAGMA with a value in this form" : `PRAGMA ${name.slice(0, 64)} with a value`;
  return `${shown} is not allowed: it would change the connection every later caller of this profile shares (reading a pragma is allowed)`;
}

function isWord(token: Token | undefined, keyword: string): boolean {
  return token?.kind === "word" && asciiLower(token.text) === keyword;
}

function isName(token: Token | undefined): boolean {
  return token?.kind === "word" || token?.kind === "quoted" || token?.kind === "string";
}

/** SQLite folds only ASCII letters when it compares keywords and pragma names. */
function asciiLower(text: string): string {
  return text.replace(/[A-Z]/g, (c) => c.toLowerCase());
}
