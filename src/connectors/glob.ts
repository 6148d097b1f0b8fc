/**
 * @module
 * Glob patterns for file names (`*.csv`, `report-??.txt`, `[ab]*`, `{in,out}-*`), matched
 * against one name, never a path: `*` and `?` do not cross `/`.
 */

/** Compiles a glob to an anchored RegExp. Matching is case-sensitive. */
export function globToRegExp(glob: string): RegExp {
  let source = "";
  let braces = 0;
  for (let i = 0; i < glob.length; i++) {
    const char = glob[i]!;
    if (char === "*") source += "[^/]*";
    else if (char === "?") source += "[^/]";
    else if (char === "[") {
      const end = glob.indexOf("]", i + 2);
      if (end < 0) {
        source += "\\[";
        continue;
      }
      let body = glob.slice(i + 1, end).replace(/\\/g, "\\\\");
      if (body.startsWith("!")) body = "^" + body.slice(1);
      source += `[${body}]`;
      i = end;
    } else if (char === "{") {
      braces++;
      source += "(?:";
    } else if (char === "}" && braces > 0) {
      braces--;
      source += ")";
    } else if (char === "," && braces > 0) source += "|";
    else source += char.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  }
  // An unclosed `{` is taken literally rather than failing the request.
  if (braces > 0) return new RegExp("^" + glob.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&") + "$");
  return new RegExp("^" + source + "$");
}

/** A test for names against `glob`, compiled once (a listing tests every entry); no glob matches everything. */
export function globMatcher(glob: string | undefined): (name: string) => boolean {
  if (glob === undefined || glob === "") return () => true;
  const regex = globToRegExp(glob);
  return (name) => regex.test(name);
}

/** True when `name` matches `glob`; no glob matches everything. */
export function matchesGlob(name: string, glob: string | undefined): boolean {
  return globMatcher(glob)(name);
}
