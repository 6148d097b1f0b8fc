/**
 * @module
 * Glob patterns for file names (`*.csv`, `report-??.txt`, `[ab]*`, `{in,out}-*`), matched
 * against one name, never a path: `*`, `?` and classes do not match `/`. Matching is
 * case-sensitive; an unclosed `[` or `{` is an ordinary character.
 *
 * A caller writes the pattern, so matching must stay cheap whatever it says: no RegExp
 * (`*` repeated 280 times compiled to one that backtracked for minutes on the agent's
 * main thread). `{a,b}` groups are expanded up front into at most {@link MAX_ALTERNATIVES}
 * plain alternatives, and each is matched with the two-pointer star algorithm, which
 * returns to the last `*` only and never branches: at most name length × pattern length
 * steps per alternative, and the expanded alternatives together are held to
 * {@link MAX_EXPANDED_LENGTH} characters.
 */
import { ConnectorError } from "./errors.ts";

/** Longest pattern accepted, in characters. */
export const MAX_PATTERN_LENGTH = 256;
/** Most alternatives `{…}` groups may expand to. */
export const MAX_ALTERNATIVES = 64;
/** Most characters all expanded alternatives may hold together. */
export const MAX_EXPANDED_LENGTH = 1024;

type Token =
  | { kind: "char"; char: string }
  | { kind: "any" }
  | { kind: "star" }
  | { kind: "class"; negated: boolean; chars: string; ranges: Array<[string, string]> };

/** A piece of a parsed pattern: a token, or a `{…}` group of alternative sequences. */
type Piece = Token | { kind: "group"; options: Piece[][] };

/** A test for names against `glob`, built once (a listing tests every entry); no glob matches everything. */
export function globMatcher(glob: string | undefined): (name: string) => boolean {
  if (glob === undefined || glob === "") return () => true;
  if (typeof glob !== "string") throw new ConnectorError("BAD_REQUEST", "pattern must be a string");
  if (glob.length > MAX_PATTERN_LENGTH) {
    throw new ConnectorError("BAD_REQUEST", `pattern is longer than the limit of ${MAX_PATTERN_LENGTH} characters`);
  }
  const alternatives = expand(parse(glob, closingBraces(glob)));
  return (name) => alternatives.some((tokens) => matchTokens(tokens, name));
}

/** True when `name` matches `glob`; no glob matches everything. */
export function matchesGlob(name: string, glob: string | undefined): boolean {
  return globMatcher(glob)(name);
}

/** Where a `[` class ends (the `]` index), or -1 when it is unclosed and so literal. A `]` right after `[` or `[!` belongs to the class. */
function classEnd(glob: string, open: number): number {
  const first = glob[open + 1] === "!" || glob[open + 1] === "^" ? open + 2 : open + 1;
  return glob.indexOf("]", first + 1);
}

/** For each `{` that has a matching `}`, that `}`'s index; classes are skipped, as they bind first. */
function closingBraces(glob: string): Map<number, number> {
  const pairs = new Map<number, number>();
  const open: number[] = [];
  for (let i = 0; i < glob.length; i++) {
    const char = glob[i];
    if (char === "[") {
      const end = classEnd(glob, i);
      if (end >= 0) i = end;
    } else if (char === "{") open.push(i);
    else if (char === "}" && open.length > 0) pairs.set(open.pop()!, i);
  }
  return pairs;
}

/** Parses glob[from, to) into pieces; `,` separates options only at the top of a group. */
function parse(glob: string, braces: Map<number, number>, from = 0, to = glob.length, inGroup = false): Piece[][] {
  const options: Piece[][] = [[]];
  for (let i = from; i < to; i++) {
    const char = glob[i]!;
    const current = options.at(-1)!;
    if (char === "*") {
      if (current.at(-1)?.kind !== "star") current.push({ kind: "star" });
    } else if (char === "?") current.push({ kind: "any" });
    else if (char === "[" && classEnd(glob, i) >= 0) {
      const end = classEnd(glob, i);
      current.push(parseClass(glob.slice(i + 1, end)));
      i = end;
    } else if (char === "{" && braces.has(i)) {
      const close = braces.get(i)!;
      current.push({ kind: "group", options: parse(glob, braces, i + 1, close, true) });
      i = close;
    } else if (char === "," && inGroup) options.push([]);
    else current.push({ kind: "char", char });
  }
  return options;
}

function parseClass(body: string): Token {
  const negated = body.startsWith("!") || body.startsWith("^");
  const set = negated ? body.slice(1) : body;
  let chars = "";
  const ranges: Array<[string, string]> = [];
  for (let i = 0; i < set.length; i++) {
    // `a-z` is a range; a `-` first or last is itself.
    if (set[i + 1] === "-" && i + 2 < set.length) {
      const [low, high] = [set[i]!, set[i + 2]!];
      if (low > high) throw new ConnectorError("BAD_REQUEST", `pattern has an empty range "${low}-${high}"`);
      ranges.push([low, high]);
      i += 2;
    } else chars += set[i];
  }
  return { kind: "class", negated, chars, ranges };
}

/** Every combination of group options, each a flat token list; bounded in count and total size. */
function expand(options: Piece[][]): Token[][] {
  const out: Token[][] = [];
  let size = 0;
  const add = (tokens: Token[]) => {
    size += tokens.length;
    if (out.length >= MAX_ALTERNATIVES || size > MAX_EXPANDED_LENGTH) {
      throw new ConnectorError(
        "BAD_REQUEST",
        `pattern's {…} groups expand past the limit of ${MAX_ALTERNATIVES} alternatives or ${MAX_EXPANDED_LENGTH} characters`,
      );
    }
    out.push(tokens);
  };
  for (const sequence of options) expandSequence(sequence, 0, [], add);
  return out;
}

function expandSequence(pieces: Piece[], index: number, prefix: Token[], add: (tokens: Token[]) => void): void {
  let i = index;
  const tokens = [...prefix];
  for (; i < pieces.length; i++) {
    const piece = pieces[i]!;
    if (piece.kind !== "group") {
      // `a*{*,x}` would put two stars side by side: one does the same work.
      if (!(piece.kind === "star" && tokens.at(-1)?.kind === "star")) tokens.push(piece);
      continue;
    }
    for (const option of piece.options) {
      expandSequence([...option, ...pieces.slice(i + 1)], 0, tokens, add);
    }
    return;
  }
  add(tokens);
}

function matchOne(token: Token, char: string): boolean {
  switch (token.kind) {
    case "char":
      return token.char === char;
    case "any":
      return char !== "/";
    case "class": {
      if (char === "/") return false;
      const listed = token.chars.includes(char) || token.ranges.some(([low, high]) => char >= low && char <= high);
      return listed !== token.negated;
    }
    case "star":
      return false;
  }
}

/**
 * The two-pointer algorithm: walk name and pattern together; at a `*` remember both
 * positions; on a mismatch let the last `*` take one more character and resume after it.
 * Returning to the last `*` only is enough: an earlier `*` taking more could only shift
 * work the last one can do itself. A `*` never takes `/`.
 */
function matchTokens(tokens: Token[], name: string): boolean {
  let t = 0;
  let n = 0;
  let starToken = -1;
  let starName = 0;
  while (n < name.length) {
    const token = tokens[t];
    if (token?.kind === "star") {
      starToken = t++;
      starName = n;
    } else if (token && matchOne(token, name[n]!)) {
      t++;
      n++;
    } else if (starToken >= 0 && name[starName] !== "/") {
      t = starToken + 1;
      n = ++starName;
    } else return false;
  }
  while (tokens[t]?.kind === "star") t++;
  return t === tokens.length;
}
