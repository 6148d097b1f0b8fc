/**
 * @module
 * Picks up files for processing: lists matching files (oldest first by modification
 * time), and renames each to `<name>.<timestamp>.processing` so a second poller — or a
 * second agent of the group — does not take it too. A file another poller renamed first
 * is skipped. The renames happen inside the opened and checked folder (files-opened.ts).
 */
import { lstat, rename } from "node:fs/promises";
import { join } from "node:path";
import type { FileEntry, PollRequest } from "../connector.ts";
import { throwIfAborted } from "../context.ts";
import { entryAt } from "./files-entry.ts";
import { listFolder } from "./files-list.ts";
import { openFolder, type CheckOptions, type OpenedFolder } from "./files-opened.ts";
import { joinRel } from "./files-paths.ts";

/** Files returned by one poll when the request gives no limit. */
export const DEFAULT_POLL_LIMIT = 100;

const PROCESSING = /\.processing$/;

export async function pollFolder(
  abs: string,
  rel: string,
  request: PollRequest,
  options: CheckOptions & { signal: AbortSignal; now?: () => Date },
): Promise<FileEntry[]> {
  const found = await listFolder(abs, rel, {
    ...options,
    recursive: request.recursive ?? false,
    pattern: request.pattern,
    filesOnly: true,
  });
  const candidates = found
    .filter((entry) => !PROCESSING.test(entry.name))
    .sort((a, b) => a.mtime.localeCompare(b.mtime) || a.path.localeCompare(b.path))
    .slice(0, Math.max(0, request.limit ?? DEFAULT_POLL_LIMIT));
  if (request.markProcessing === false) return candidates;

  const stamp = compactTimestamp((options.now ?? (() => new Date()))());
  const folders = new Map<string, OpenedFolder>();
  const taken: FileEntry[] = [];
  try {
    for (const entry of candidates) {
      throwIfAborted(options.signal);
      const parent = parentOf(entry.path);
      let folder = folders.get(parent);
      if (!folder) {
        folder = await openFolder(join(options.base, ...parent.split("/")), parent, options);
        folders.set(parent, folder);
      }
      const newName = `${entry.name}.${stamp}.processing`;
      if (await claim(folder, entry.name, newName)) {
        taken.push(await entryAt(folder.at(newName), joinRel(parent, newName), options.followSymlinks));
      }
    }
  } finally {
    for (const folder of folders.values()) await folder.close();
  }
  return taken;
}

/**
 * One rename takes the file: of concurrent pollers exactly one succeeds and the others get
 * ENOENT, leaving one name on disk. rename() would replace an existing target, which only a
 * poll of a same-named file in the same millisecond could have made; it is checked first.
 */
async function claim(folder: OpenedFolder, name: string, newName: string): Promise<boolean> {
  const free = await lstat(folder.at(newName)).then(
    () => false,
    (error: NodeJS.ErrnoException) => error.code === "ENOENT",
  );
  if (!free) return false;
  try {
    await rename(folder.at(name), folder.at(newName));
    return true;
  } catch {
    // Taken by another poller, or gone: skipped either way.
    return false;
  }
}

function parentOf(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash < 0 ? "" : path.slice(0, slash);
}

/** `2026-11-28T07:42:04.123Z` → `20261128T074204123Z`: sortable, and no `:` (not allowed in Windows names). */
export function compactTimestamp(date: Date): string {
  return date.toISOString().replace(/[-:.]/g, "");
}
