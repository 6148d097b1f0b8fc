/**
 * @module
 * The statement guard: refuses transaction control before it reaches the server. It is
 * the second line of defence; the first is that no call's transaction can outlive it
 * (`postgres-session.ts`). A call's SQL always goes through the extended protocol, where
 * the server takes exactly one statement, but empty statements before it (`;begin`) are
 * dropped by the server's grammar. So the guard looks at the leading words of every
 * statement, after whitespace, comments and stray semicolons, as `postgres-lexer.ts`
 * reads them; if a simple-query path ever appears, a `commit` after a first statement is
 * still found.
 *
 * Semicolons inside the `BEGIN ATOMIC … END` body of `CREATE FUNCTION|PROCEDURE` do not
 * end the statement; this is psql's own heuristic (psqlscan.l: BEGIN/CASE/END depth at
 * parenthesis depth 0). Where it misjudges, the guard refuses too much, never too little.
 */
import { ConnectorError } from "../errors.ts";
import { lex, type Token } from "./postgres-lexer.ts";

const TRANSACTION_CONTROL = new Set(["begin", "start", "commit", "end", "rollback", "abort", "savepoint", "release"]);

/** Throws `BAD_REQUEST` when any statement in `sql` starts with transaction control. */
export function refuseTransactionControl(sql: string): void {
  for (const [first, second] of statementHeads(sql)) {
    if ((first && TRANSACTION_CONTROL.has(first)) || (first === "prepare" && second === "transaction")) {
      throw new ConnectorError("BAD_REQUEST", "transaction control is not allowed: each call is one statement; use batch to run several in one transaction");
    }
  }
}

/**
 * The first two words of each non-empty statement, lower case. A statement that starts
 * with something else than a word (a parenthesis, a quoted identifier) yields `[]` for it.
 */
export function statementHeads(sql: string): string[][] {
  const heads: string[][] = [];
  let head: string[] | undefined;
  let significant: Token[] = [];
  let parens = 0;
  let depth = 0;
  for (const token of lex(sql)) {
    if (token.kind === "space" || token.kind === "comment") continue;
    if (token.kind === "semicolon" && depth === 0) {
      if (head) heads.push(head);
      head = undefined;
      significant = [];
      parens = 0;
      continue;
    }
    if (!head) head = [];
    if (significant.length < 4) significant.push(token);
    if (head.length < 2 && significant.length === head.length + 1) {
      if (token.kind === "word") head.push(token.text);
    }
    if (token.kind === "open") parens++;
    else if (token.kind === "close") parens = Math.max(0, parens - 1);
    else if (token.kind === "word" && parens === 0 && definesRoutine(significant)) {
      if (token.text === "begin") depth++;
      else if (token.text === "case" && depth > 0) depth++;
      else if (token.text === "end" && depth > 0) depth--;
    }
  }
  if (head) heads.push(head);
  return heads;
}

/** `CREATE [OR REPLACE] FUNCTION|PROCEDURE`: the statements whose bodies may hold semicolons. */
function definesRoutine(start: Token[]): boolean {
  const words = start.map((token) => (token.kind === "word" ? token.text : ""));
  if (words[0] !== "create") return false;
  const kind = words[1] === "or" && words[2] === "replace" ? words[3] : words[1];
  return kind === "function" || kind === "procedure";
}
