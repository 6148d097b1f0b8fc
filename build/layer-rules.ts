/**
 * @module
 * Applies the rules in `layers.ts` to a source tree and returns every violation as a line
 * `path:line message`, paths relative to the repo root.
 *
 * Three checks:
 * 1. rooms: an import of ours (relative specifier) must stay in its room or go to a room the
 *    rules allow; code outside `src/` is off limits (data files such as a JSON schema are not);
 * 2. drivers: a database driver is imported statically only inside `src/connectors/<backend>/`;
 * 3. start-up: following static imports from the CLI entry must not reach a driver, so a
 *    backend folder is entered only through `await import()`.
 */
import { readdir, readFile } from "node:fs/promises";
import { existsSync, statSync } from "node:fs";
import { dirname, join, posix, relative, resolve, sep } from "node:path";
import { scanImports, type ImportRef } from "./import-scan.ts";
import { ENTRY, LAZY_PACKAGES, ROOM_RULES } from "./layers.ts";

export interface Violation {
  /** Importing file, relative to the root, with `/` separators. */
  readonly file: string;
  readonly line: number;
  readonly message: string;
}

export interface CheckOptions {
  /** Repository root holding `src/`. */
  readonly root: string;
}

interface SourceFile {
  readonly path: string;
  readonly imports: readonly ImportRef[];
  /** Set when the transpiler could not read the file. */
  readonly parseError?: string;
}

/** Checks every `.ts` file under `<root>/src`; an empty list means the tree is clean. */
export async function checkLayers(options: CheckOptions): Promise<Violation[]> {
  const root = resolve(options.root);
  const files = await readSources(join(root, "src"));
  const violations: Violation[] = [];
  const rel = (path: string) => relative(root, path).split(sep).join("/");
  for (const file of files.values()) {
    const path = rel(file.path);
    const where = misplaced(path);
    if (where) violations.push({ file: path, line: 1, message: where });
    if (file.parseError) violations.push({ file: path, line: 1, message: `does not parse: ${file.parseError}` });
    for (const ref of file.imports) {
      const message = ruleBreak(path, ref);
      if (message) violations.push({ file: path, line: ref.line, message });
    }
  }
  violations.push(...eagerDriverLoads(root, files, rel));
  return violations.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
}

/** Formats a violation as one report line. */
export function formatViolation(v: Violation): string {
  return `${v.file}:${v.line} ${v.message}`;
}

async function readSources(srcDir: string): Promise<Map<string, SourceFile>> {
  const files = new Map<string, SourceFile>();
  const entries = await readdir(srcDir, { recursive: true, withFileTypes: true });
  for (const entry of entries) {
    if (!entry.isFile() || !entry.name.endsWith(".ts")) continue;
    const path = join(entry.parentPath, entry.name);
    try {
      files.set(path, { path, imports: scanImports(await readFile(path, "utf8")) });
    } catch (error) {
      const first = (error instanceof Error ? error.message : String(error)).split("\n")[0];
      files.set(path, { path, imports: [], parseError: first });
    }
  }
  return files;
}

/** `src/<room>/...` → room; undefined outside src or for files directly in src. */
function roomOf(relPath: string): string | undefined {
  const parts = relPath.split("/");
  return parts[0] === "src" && parts.length > 2 ? parts[1] : undefined;
}

/** `src/connectors/<backend>/...` → backend folder name. */
function backendOf(relPath: string): string | undefined {
  const parts = relPath.split("/");
  return parts[0] === "src" && parts[1] === "connectors" && parts.length > 3 ? parts[2] : undefined;
}

function lazyPackage(specifier: string): string | undefined {
  return LAZY_PACKAGES.find((pkg) => specifier === pkg || specifier.startsWith(`${pkg}/`));
}

function isCode(path: string): boolean {
  return /\.[cm]?[jt]sx?$/.test(path) || !/\.[^/]+$/.test(path);
}

/** Why a file sits in no known room, or undefined when it is in one. */
function misplaced(file: string): string | undefined {
  const room = roomOf(file);
  if (!room) return "is outside every room: put it in a folder under src/";
  if (!ROOM_RULES[room]) return `is in unknown room "${room}": add the room to build/layers.ts and docs/architecture.md`;
  return undefined;
}

function ruleBreak(file: string, ref: ImportRef): string | undefined {
  const from = roomOf(file);
  const rules = from ? ROOM_RULES[from] : undefined;
  if (!from || !rules) return undefined;
  if (!ref.specifier.startsWith(".")) {
    const pkg = lazyPackage(ref.specifier);
    if (pkg && ref.kind === "static" && !backendOf(file)) {
      return `imports ${pkg} statically: database drivers are imported only in src/connectors/<backend>/ (elsewhere use await import())`;
    }
    return undefined;
  }
  const target = posix.normalize(posix.join(posix.dirname(file), ref.specifier));
  const to = roomOf(target);
  const what = ref.kind === "type" ? "imports type from" : "imports";
  if (!target.startsWith("src/")) {
    // Data files (a JSON schema, an asset) may live elsewhere; code may not.
    return isCode(target) ? `${what} ${target}: src/ may not import code from outside src/` : undefined;
  }
  if (!to || to === from || rules === "*" || rules.includes(to)) return undefined;
  const allowed = rules.length === 0 ? "nothing of ours" : `only ${rules.join(", ")}`;
  return `${what} ${target}: ${from} may import ${allowed}`;
}

function existingModule(path: string): string | undefined {
  for (const candidate of [path, `${path}.ts`, join(path, "index.ts")]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

/** Walks static imports from the entry; reports the edge that enters a backend folder. */
function eagerDriverLoads(root: string, files: Map<string, SourceFile>, rel: (path: string) => string): Violation[] {
  const entry = join(root, ENTRY);
  if (!files.has(entry)) return [];
  const parents = new Map<string, { from: string; line: number } | null>([[entry, null]]);
  const queue = [entry];
  const violations: Violation[] = [];
  while (queue.length > 0) {
    const path = queue.shift()!;
    for (const ref of files.get(path)?.imports ?? []) {
      if (ref.kind !== "static") continue;
      const pkg = lazyPackage(ref.specifier);
      if (pkg) {
        violations.push(eagerViolation(path, pkg, parents, rel));
        continue;
      }
      if (!ref.specifier.startsWith(".")) continue;
      const next = existingModule(resolve(dirname(path), ref.specifier));
      if (!next || parents.has(next)) continue;
      parents.set(next, { from: path, line: ref.line });
      queue.push(next);
    }
  }
  return violations;
}

function eagerViolation(path: string, pkg: string, parents: Map<string, { from: string; line: number } | null>, rel: (path: string) => string): Violation {
  const chain = [path];
  for (let step = parents.get(path); step; step = parents.get(step.from)) chain.unshift(step.from);
  // Blame the import that crossed into the backend folder from outside it.
  let blame = { file: rel(chain[0]!), line: 1 };
  for (let i = 1; i < chain.length; i++) {
    const edge = parents.get(chain[i]!)!;
    if (backendOf(rel(chain[i]!)) && !backendOf(rel(edge.from))) blame = { file: rel(edge.from), line: edge.line };
  }
  const via = chain.map(rel).join(" → ");
  return { ...blame, message: `loads ${pkg} at start-up (${via} → ${pkg}): enter src/connectors/<backend>/ with await import()` };
}
