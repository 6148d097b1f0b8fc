/**
 * @module
 * Lists a folder, optionally recursively, filtering names by a glob. Symlinks are left out
 * when the profile refuses them; when it follows them, a link is listed only if its real
 * path stays under the base, and linked folders are not descended (no loops).
 */
import type { Dirent } from "node:fs";
import { lstat, readdir, realpath, stat } from "node:fs/promises";
import { join } from "node:path";
import type { FileEntry } from "../connector.ts";
import { throwIfAborted } from "../context.ts";
import { globMatcher } from "../glob.ts";
import { TEMP_FILE, toEntry } from "./files-entry.ts";
import { isInside, joinRel } from "./files-paths.ts";

export interface ListOptions {
  base: string;
  followSymlinks: boolean;
  recursive: boolean;
  pattern?: string;
  /** Leave out folders (poll wants files only). */
  filesOnly?: boolean;
  signal: AbortSignal;
}

/** Entries under `abs` (whose relative path is `rel`), sorted by path. */
export async function listFolder(abs: string, rel: string, options: ListOptions): Promise<FileEntry[]> {
  const entries: FileEntry[] = [];
  await walk(abs, rel, { ...options, matches: globMatcher(options.pattern) }, entries);
  return entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

async function walk(abs: string, rel: string, options: ListOptions & { matches(name: string): boolean }, out: FileEntry[]): Promise<void> {
  throwIfAborted(options.signal);
  const children = await readdir(abs, { withFileTypes: true });
  for (const child of children) {
    if (TEMP_FILE.test(child.name)) continue;
    const childAbs = join(abs, child.name);
    const childRel = joinRel(rel, child.name);
    const stats = await statChild(child, childAbs, options);
    if (!stats) continue;
    if (!(options.filesOnly && stats.isDirectory()) && options.matches(child.name)) {
      out.push(toEntry(childRel, stats));
    }
    if (options.recursive && child.isDirectory()) await walk(childAbs, childRel, options, out);
  }
}

async function statChild(child: Dirent, abs: string, options: ListOptions) {
  try {
    if (!child.isSymbolicLink()) return await lstat(abs);
    if (!options.followSymlinks) return undefined;
    if (!isInside(options.base, await realpath(abs))) return undefined;
    return await stat(abs);
  } catch {
    // Gone between readdir and stat, or a dangling link: not worth failing the listing.
    return undefined;
  }
}
