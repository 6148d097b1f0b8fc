/**
 * @module
 * A lexer for PostgreSQL statements that follows the server's own rules (scan.l), so the
 * statement guard sees the words the server will see. Only what decides where words and
 * statements start matters here: whitespace (space, tab, `\n`, `\r`, form feed, and
 * vertical tab as PostgreSQL 16 added), `--` comments that end at `\n` or `\r`, `/* *\/`
 * comments that nest, `'…'` with `''` (and `E'…'` with backslash escapes too; `B'`, `X'`,
 * `N'` and `U&'` lex as standard strings), `"…"` and `U&"…"` identifiers, dollar quotes
 * `$tag$…$tag$` (a tag starts with a letter, `_` or a byte ≥ 0x80 and goes on with digits
 * too; `$1` is a parameter), and identifiers, which may contain `$` (`a$$b` is one word).
 * Strings follow `standard_conforming_strings = on`, the server default; where a database
 * turns it off the guard can only err towards refusing, see `postgres-guard.ts`.
 */

export type TokenKind = "space" | "comment" | "word" | "identifier" | "string" | "param" | "semicolon" | "open" | "close" | "other";

export interface Token {
  kind: TokenKind;
  /** Lower-cased text for `word`; the raw text otherwise. */
  text: string;
  /** A comment, string or identifier that runs to the end of the input. */
  unterminated?: boolean;
}

const SPACE = new Set([" ", "\t", "\n", "\r", "\f", "\v"]);
const IDENT_START = /[A-Za-z_\u0080-\uffff]/;
const IDENT_CONT = /[A-Za-z_0-9$\u0080-\uffff]/;
const DOLLAR_TAG = /^\$([A-Za-z_\u0080-\uffff][A-Za-z_0-9\u0080-\uffff]*)?\$/;

/** Splits `sql` into tokens; concatenating their raw text gives `sql` back (words are lower-cased). */
export function lex(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const push = (kind: TokenKind, end: number, unterminated = false) => {
    const text = sql.slice(i, end);
    tokens.push({ kind, text: kind === "word" ? text.toLowerCase() : text, ...(unterminated ? { unterminated } : {}) });
    i = end;
  };
  while (i < sql.length) {
    const c = sql[i]!;
    const next = sql[i + 1];
    if (SPACE.has(c)) {
      let end = i + 1;
      while (end < sql.length && SPACE.has(sql[end]!)) end++;
      push("space", end);
    } else if (c === "-" && next === "-") {
      const end = lineEnd(sql, i + 2);
      push("comment", end, end === sql.length);
    } else if (c === "/" && next === "*") {
      const end = blockCommentEnd(sql, i);
      push("comment", end < 0 ? sql.length : end, end < 0);
    } else if (c === "'") {
      const end = quoteEnd(sql, i + 1, "'", false);
      push("string", end < 0 ? sql.length : end, end < 0);
    } else if (c === '"') {
      const end = quoteEnd(sql, i + 1, '"', false);
      push("identifier", end < 0 ? sql.length : end, end < 0);
    } else if ((c === "e" || c === "E") && next === "'") {
      const end = quoteEnd(sql, i + 2, "'", true);
      push("string", end < 0 ? sql.length : end, end < 0);
    } else if (/[bBxXnN]/.test(c) && next === "'") {
      const end = quoteEnd(sql, i + 2, "'", false);
      push("string", end < 0 ? sql.length : end, end < 0);
    } else if ((c === "u" || c === "U") && next === "&" && (sql[i + 2] === "'" || sql[i + 2] === '"')) {
      const end = quoteEnd(sql, i + 3, sql[i + 2]!, false);
      push(sql[i + 2] === "'" ? "string" : "identifier", end < 0 ? sql.length : end, end < 0);
    } else if (c === "$") {
      const tag = DOLLAR_TAG.exec(sql.slice(i, i + 128))?.[0];
      if (tag) {
        const close = sql.indexOf(tag, i + tag.length);
        push("string", close < 0 ? sql.length : close + tag.length, close < 0);
      } else if (/[0-9]/.test(next ?? "")) {
        let end = i + 1;
        while (end < sql.length && /[0-9]/.test(sql[end]!)) end++;
        push("param", end);
      } else push("other", i + 1);
    } else if (IDENT_START.test(c)) {
      let end = i + 1;
      while (end < sql.length && IDENT_CONT.test(sql[end]!)) end++;
      push("word", end);
    } else if (c === ";") push("semicolon", i + 1);
    else if (c === "(") push("open", i + 1);
    else if (c === ")") push("close", i + 1);
    else push("other", i + 1);
  }
  return tokens;
}

/** The index after a `--` comment: it ends at `\n` or `\r`, whichever comes first. */
function lineEnd(sql: string, from: number): number {
  for (let i = from; i < sql.length; i++) if (sql[i] === "\n" || sql[i] === "\r") return i;
  return sql.length;
}

/** The index after a block comment starting at `start` (comments nest), or -1 if it never ends. */
function blockCommentEnd(sql: string, start: number): number {
  let depth = 0;
  for (let i = start; i < sql.length - 1; i++) {
    if (sql[i] === "/" && sql[i + 1] === "*") (depth++, i++);
    else if (sql[i] === "*" && sql[i + 1] === "/") {
      depth--;
      i++;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

/** The index after the closing quote (a doubled quote stays inside), or -1 if it never closes. */
function quoteEnd(sql: string, from: number, quote: string, backslashes: boolean): number {
  for (let i = from; i < sql.length; i++) {
    if (backslashes && sql[i] === "\\") i++;
    else if (sql[i] === quote) {
      if (sql[i + 1] === quote) i++;
      else return i + 1;
    }
  }
  return -1;
}
