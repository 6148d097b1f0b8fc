/**
 * @module
 * Writes a file so that readers see either nothing or the whole new content: write a
 * temp file beside it (created with `wx`, so a stale temp is never reused), fsync, then
 * rename over the target. Used for key files, identities and config files.
 */
import { closeSync, fsyncSync, linkSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { restrictToOwner } from "./owner-only.ts";

export interface AtomicWriteOptions {
  /** File mode of the new file. Defaults to `0o644`; secrets use `0o600`. */
  mode?: number;
  /** Fail if the target already exists. Defaults to `false` (replace it). */
  exclusive?: boolean;
}

/** Writes `data` to `path` atomically. Throws the fs error (EEXIST when `exclusive` and present). */
export function writeFileAtomic(path: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): void {
  const mode = options.mode ?? 0o644;
  const temp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  const fd = openSync(temp, "wx", mode);
  try {
    writeSync(fd, typeof data === "string" ? Buffer.from(data) : data);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    rmSync(temp, { force: true });
    throw error;
  }
  closeSync(fd);
  try {
    if (mode === 0o600) restrictToOwner(temp);
    if (options.exclusive) {
      // rename() replaces silently; a hard link refuses an existing target, atomically.
      linkExclusive(temp, path);
      return;
    }
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

function linkExclusive(temp: string, path: string) {
  try {
    linkSync(temp, path);
  } finally {
    rmSync(temp, { force: true });
  }
}
