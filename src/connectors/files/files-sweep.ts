/**
 * @module
 * Temp files of uploads whose agent was killed (SIGKILL, power loss) stay behind as
 * `.<name>.outpost-<random>.part`; nothing else ever names them. At start the connector
 * removes the ones under its base that nobody has written to for an hour — the age keeps
 * it away from uploads still running, including those of another agent of the group that
 * shares the folder. The walk is bounded so a huge tree cannot stall the agent.
 */
import { lstat, readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { TEMP_FILE } from "./files-entry.ts";

export interface SweepOptions {
  /** Only temp files older than this are removed. Defaults to one hour. */
  olderThanMs?: number;
  /** Directory entries looked at, at most. Defaults to 100,000. */
  maxEntries?: number;
  now?: () => number;
}

/** Removes stale upload temp files under `base`; returns how many. Never throws. */
export async function sweepStaleUploads(base: string, options: SweepOptions = {}): Promise<number> {
  const cutoff = (options.now ?? Date.now)() - (options.olderThanMs ?? 3_600_000);
  let budget = options.maxEntries ?? 100_000;
  let removed = 0;
  const folders = [base];
  while (folders.length > 0 && budget > 0) {
    const folder = folders.pop()!;
    const entries = await readdir(folder, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      if (--budget < 0) break;
      const path = join(folder, entry.name);
      if (entry.isDirectory()) folders.push(path);
      else if (entry.isFile() && TEMP_FILE.test(entry.name)) {
        const info = await lstat(path).catch(() => undefined);
        if (info && info.mtimeMs < cutoff && (await rm(path).then(() => true, () => false))) removed++;
      }
    }
  }
  return removed;
}
