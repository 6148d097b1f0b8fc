/**
 * @module
 * Lists a folder, optionally recursively, filtering names by a glob. Symlinks are left out
 * when the profile refuses them; when it follows them, a link is listed only if its real
 * path stays under the base, and linked folders are not descended (no loops). Each folder
 * is opened and checked before it is read (files-opened.ts), and its entries are looked
 * at through that descriptor, so a folder swapped for a symlink mid-listing shows nothing
 * of outside. A listing is one JSON answer built in memory, so it stops at
 * {@link MAX_LIST_ENTRIES} entries with TOO_LARGE rather than grow without end.
 */
import type { Dirent } from "node:fs";
import { lstat, readdir, realpath, stat } from "node:fs/promises";
import { join } from "node:path";
import type { FileEntry } from "../connector.ts";
import { throwIfAborted } from "../context.ts";
import { ConnectorError } from "../errors.ts";
import { globMatcher } from "../glob.ts";
import { TEMP_FILE, toEntry } from "./files-entry.ts";
import { inFolder, type CheckOptions } from "./files-opened.ts";
import { isInside, joinRel } from "./files-paths.ts";

/** Most entries one listing (or one poll's look at its folder) returns. */
export const MAX_LIST_ENTRIES = 100_000;

export interface ListOptions extends CheckOptions {
  recursive: boolean;
  pattern?: string;
  /** Leave out folders (poll wants files only). */
  filesOnly?: boolean;
  /** Defaults to {@link MAX_LIST_ENTRIES}. */
  maxEntries?: number;
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
  const limit = options.maxEntries ?? MAX_LIST_ENTRIES;
  const subfolders = await inFolder(abs, rel, options, async (folder) => {
    const found: string[] = [];
    for (const child of await readdir(folder.at(""), { withFileTypes: true })) {
      if (TEMP_FILE.test(child.name)) continue;
      const stats = await statChild(child, folder.at(child.name), options);
      if (!stats) continue;
      if (!(options.filesOnly && stats.isDirectory()) && options.matches(child.name)) {
        if (out.length >= limit) {
          throw new ConnectorError("TOO_LARGE", `the listing has more than ${limit} entries; list a sub-folder or narrow the pattern`);
        }
        out.push(toEntry(joinRel(rel, child.name), stats));
      }
      if (options.recursive && child.isDirectory()) found.push(child.name);
    }
    return found;
  });
  // Descend after closing this folder, so a deep tree holds one descriptor at a time.
  for (const name of subfolders) await walk(join(abs, name), joinRel(rel, name), options, out);
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
