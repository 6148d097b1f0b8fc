/**
 * @module
 * Lists the module specifiers a TypeScript file imports, with their line numbers.
 *
 * Bun's transpiler (`scanImports`) is exact for imports that exist at run time (static,
 * re-exports, `require`, `await import()`), but it drops type-only imports. Those are found
 * with a pattern over the comment-stripped source and marked `type`.
 */

/** `static`: loaded when the importing module loads; `dynamic`: `await import()`; `type`: erased. */
export type ImportKind = "static" | "dynamic" | "type";

export interface ImportRef {
  readonly specifier: string;
  readonly kind: ImportKind;
  /** 1-based line of the first occurrence of the quoted specifier. */
  readonly line: number;
}

const transpiler = new Bun.Transpiler({ loader: "ts" });

// `import … from "x"`, `export … from "x"`, and `import("x")` in type positions.
const FROM_PATTERN = /\b(?:import|export)\b[^'";]*?\bfrom\s*(['"])([^'"\n]+)\1/g;
const IMPORT_TYPE_PATTERN = /\bimport\(\s*(['"])([^'"\n]+)\1\s*\)/g;

/** Every import of `code`, runtime ones first; a specifier appears once per kind. */
export function scanImports(source: string): ImportRef[] {
  // The transpiler rejects a shebang line (src/cli/main.ts has one); blank it, keeping lines.
  const code = source.replace(/^#!.*/, "");
  const uncommented = stripComments(code);
  const lines = uncommented.split("\n");
  const refs: ImportRef[] = [];
  const runtime = new Set<string>();
  for (const found of transpiler.scanImports(code)) {
    const kind: ImportKind = found.kind === "dynamic-import" ? "dynamic" : "static";
    runtime.add(found.path);
    refs.push({ specifier: found.path, kind, line: lineOf(lines, found.path) });
  }
  const typeOnly = new Set<string>();
  for (const pattern of [FROM_PATTERN, IMPORT_TYPE_PATTERN]) {
    for (const match of uncommented.matchAll(pattern)) {
      const specifier = match[2]!;
      if (runtime.has(specifier) || typeOnly.has(specifier)) continue;
      typeOnly.add(specifier);
      refs.push({ specifier, kind: "type", line: lineOf(lines, specifier) });
    }
  }
  return refs;
}

/** Prefers a line that looks like an import; 0 when the specifier is not written literally. */
function lineOf(lines: readonly string[], specifier: string): number {
  const quoted = (line: string) => line.includes(`"${specifier}"`) || line.includes(`'${specifier}'`);
  const importLike = lines.findIndex((line) => quoted(line) && /\b(?:import|from|require)\b/.test(line));
  return (importLike >= 0 ? importLike : lines.findIndex(quoted)) + 1;
}

/** Blanks block comments and whole-line `//` comments, keeping line breaks. */
function stripComments(code: string): string {
  return code
    .replace(/\/\*[\s\S]*?\*\//g, (comment) => comment.replace(/[^\n]/g, " "))
    .replace(/^\s*\/\/.*$/gm, "");
}
