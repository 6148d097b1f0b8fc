/**
 * @module
 * Picks up files for processing: lists matching files (oldest first by modification
 * time), and renames each to `<name>.<timestamp>.processing` so a second poller — or a
 * second agent of the group — does not take it too. A file another poller renamed first
 * is skipped.
 */
import type { FileEntry, PollRequest } from "../connector.ts";
import { throwIfAborted } from "../context.ts";
import { entryAt } from "./files-entry.ts";
import { listFolder } from "./files-list.ts";
import { moveNoClobber } from "./files-move.ts";
import { joinRel } from "./files-paths.ts";
import { join, dirname } from "node:path";

/** Files returned by one poll when the request gives no limit. */
export const DEFAULT_POLL_LIMIT = 100;

const PROCESSING = /\.processing$/;

export async function pollFolder(
  abs: string,
  rel: string,
  request: PollRequest,
  options: { base: string; followSymlinks: boolean; signal: AbortSignal; now?: () => Date },
): Promise<FileEntry[]> {
  const found = await listFolder(abs, rel, {
    base: options.base,
    followSymlinks: options.followSymlinks,
    recursive: request.recursive ?? false,
    pattern: request.pattern,
    filesOnly: true,
    signal: options.signal,
  });
  const candidates = found
    .filter((entry) => !PROCESSING.test(entry.name))
    .sort((a, b) => a.mtime.localeCompare(b.mtime) || a.path.localeCompare(b.path))
    .slice(0, Math.max(0, request.limit ?? DEFAULT_POLL_LIMIT));
  if (request.markProcessing === false) return candidates;

  const stamp = compactTimestamp((options.now ?? (() => new Date()))());
  const taken: FileEntry[] = [];
  for (const entry of candidates) {
    throwIfAborted(options.signal);
    const fromAbs = join(options.base, ...entry.path.split("/"));
    const newName = `${entry.name}.${stamp}.processing`;
    const toAbs = join(dirname(fromAbs), newName);
    const parent = entry.path.includes("/") ? entry.path.slice(0, entry.path.lastIndexOf("/")) : "";
    const toRel = joinRel(parent, newName);
    try {
      await moveNoClobber(fromAbs, toAbs, toRel);
    } catch {
      continue;
    }
    taken.push(await entryAt(toAbs, toRel, options.followSymlinks));
  }
  return taken;
}

/** `2026-11-28T07:42:04.123Z` → `20261128T074204123Z`: sortable, and no `:` (not allowed in Windows names). */
export function compactTimestamp(date: Date): string {
  return date.toISOString().replace(/[-:.]/g, "");
}
