/**
 * @module
 * Reads the first statement of an SQL text the way SQLite's own tokenizer does
 * (`tokenize.c`), so the guard sees the same words SQLite will compile: whitespace is
 * exactly space, tab, newline, form feed and carriage return; `--` runs to the end of the
 * line; `/* … *\/` does not nest and an open one runs to the end; `'…'` strings and
 * `"…"`, `` `…` `` identifiers double their quote to escape it; `[…]` ends at the first
 * `]`; `X'…'` is a blob; a NUL ends the text. Empty statements (`;`) before the first one
 * are skipped, as `sqlite3_prepare` does.
 *
 * Where this reading could differ from SQLite's it errs towards seeing more tokens, never
 * fewer: a word is only ASCII letters, digits, `_`, `$` and non-ASCII characters (all of
 * which SQLite also takes into identifiers), and every other character is a token of its own.
 */

export type TokenKind = "word" | "quoted" | "string" | "blob" | "symbol";

export interface Token {
  kind: TokenKind;
  /** The token as written (quotes included). */
  text: string;
}

const SPACE = new Set([" ", "\t", "\n", "\f", "\r"]);
const WORD_CHAR = /[A-Za-z0-9_$\u0080-\uffff]/;
const CLOSING: Record<string, string> = { "'": "'", '"': '"', "`": "`", "[": "]" };

/** The tokens of the text's first statement, without whitespace and comments, up to its `;`. */
export function* firstStatement(sql: string): Generator<Token> {
  const end = sql.indexOf("\0");
  const text = end === -1 ? sql : sql.slice(0, end);
  let started = false;
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (SPACE.has(c)) {
      i++;
    } else if (c === "-" && text[i + 1] === "-") {
      const eol = text.indexOf("\n", i + 2);
      i = eol === -1 ? text.length : eol + 1;
    } else if (c === "/" && text[i + 1] === "*") {
      const close = text.indexOf("*/", i + 2);
      i = close === -1 ? text.length : close + 2;
    } else if (c === ";") {
      if (started) return;
      i++;
    } else {
      const next = scan(text, i);
      started = true;
      yield { kind: next.kind, text: text.slice(i, next.end) };
      i = next.end;
    }
  }
}

/** One token starting at `start` (not whitespace or a comment): its kind and where it ends. */
function scan(text: string, start: number): { kind: TokenKind; end: number } {
  const c = text[start]!;
  if ((c === "x" || c === "X") && text[start + 1] === "'") {
    // A blob has no escapes: it ends at the next quote.
    const close = text.indexOf("'", start + 2);
    return { kind: "blob", end: close === -1 ? text.length : close + 1 };
  }
  const closing = CLOSING[c];
  if (closing === "]") {
    const close = text.indexOf("]", start + 1);
    return { kind: "quoted", end: close === -1 ? text.length : close + 1 };
  }
  if (closing) return { kind: c === "'" ? "string" : "quoted", end: closeQuoted(text, start, closing) };
  if (!WORD_CHAR.test(c)) return { kind: "symbol", end: start + 1 };
  let end = start + 1;
  while (end < text.length && WORD_CHAR.test(text[end]!)) end++;
  return { kind: "word", end };
}

/** Past the quote that closes the one at `open`; a doubled quote is part of the text. Unclosed, the rest of the text. */
function closeQuoted(text: string, open: number, quote: string): number {
  let i = open + 1;
  for (;;) {
    const close = text.indexOf(quote, i);
    if (close === -1) return text.length;
    if (text[close + 1] !== quote) return close + 1;
    i = close + 2;
  }
}

/** A name as SQLite reads it: quotes removed and doubled quotes made single. */
export function nameOf(token: Token): string {
  if (token.kind === "word") return token.text;
  const open = token.text[0]!;
  const close = CLOSING[open] ?? open;
  const inner = token.text.slice(1, token.text.endsWith(close) && token.text.length > 1 ? -1 : undefined);
  return close === "]" ? inner : inner.replaceAll(close + close, close);
}
