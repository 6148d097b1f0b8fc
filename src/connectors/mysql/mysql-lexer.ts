/**
 * @module
 * Splits MySQL/MariaDB SQL into the tokens the server's own lexer would see, for the
 * read-only guard. It follows the server's rules: `#` comments run to `\n`; `--` starts a
 * comment only when whitespace, a control character or the end follows; `/* … *\/` does not
 * nest; `/*!` and `/*M!` are executable comments (code, reported as such); backtick
 * identifiers double their backticks; `'…'` and `"…"` double their quote and, unless the
 * session has NO_BACKSLASH_ESCAPES, take backslash escapes. `X'…'`, `B'…'`, `N'…'` and
 * `_charset'…'` come out as a word followed by a string, which is all the guard needs.
 */

export type MysqlToken =
  | { kind: "word"; text: string } // keyword or bare identifier, upper-cased
  | { kind: "quoted" } // string literal or quoted identifier: never a keyword
  | { kind: "symbol"; text: string }
  | { kind: "executable-comment" };

export class MysqlLexError extends Error {}

/** Word characters of the server's lexer: ASCII letters, digits, `_`, `$`, and every non-ASCII character. */
const isWordChar = (code: number) =>
  (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95 || code === 36 || code >= 128;

/** What the server takes as the end of `--`: a space or control character, or nothing at all. */
const endsDashes = (code: number) => Number.isNaN(code) || code <= 32 || code === 127;

/** The tokens of `sql`; throws `MysqlLexError` on an unterminated string, identifier or comment. */
export function lexMysql(sql: string, options: { backslashEscapes: boolean }): MysqlToken[] {
  const tokens: MysqlToken[] = [];
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const ch = sql[i]!;
    const code = sql.charCodeAt(i);
    if (code <= 32) {
      i++;
    } else if (ch === "#" || (ch === "-" && sql[i + 1] === "-" && endsDashes(sql.charCodeAt(i + 2)))) {
      const end = sql.indexOf("\n", i);
      i = end < 0 ? n : end + 1;
    } else if (ch === "/" && sql[i + 1] === "*") {
      if (sql[i + 2] === "!" || (sql[i + 2]?.toUpperCase() === "M" && sql[i + 3] === "!")) tokens.push({ kind: "executable-comment" });
      const end = sql.indexOf("*/", i + 2);
      if (end < 0) throw new MysqlLexError("unterminated comment");
      i = end + 2;
    } else if (ch === "'" || ch === '"' || ch === "`") {
      i = endOfQuoted(sql, i, options.backslashEscapes && ch !== "`");
      tokens.push({ kind: "quoted" });
    } else if (isWordChar(code)) {
      let end = i + 1;
      while (end < n && isWordChar(sql.charCodeAt(end))) end++;
      tokens.push({ kind: "word", text: sql.slice(i, end).toUpperCase() });
      i = end;
    } else {
      tokens.push({ kind: "symbol", text: ch });
      i++;
    }
  }
  return tokens;
}

/** The index just past the quoted token opening at `start`; a doubled quote stays inside. */
function endOfQuoted(sql: string, start: number, backslashEscapes: boolean): number {
  const quote = sql[start];
  let i = start + 1;
  while (i < sql.length) {
    const ch = sql[i];
    if (backslashEscapes && ch === "\\") i += 2;
    else if (ch === quote && sql[i + 1] === quote) i += 2;
    else if (ch === quote) return i + 1;
    else i++;
  }
  throw new MysqlLexError("unterminated quoted string or identifier");
}
