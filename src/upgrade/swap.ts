/**
 * @module
 * Putting the verified new binary in place, and taking the previous one back.
 *
 * POSIX: the current binary is hard-linked (or copied) to `.old`, then `rename()` moves the
 * new file over the current path. rename is atomic, so the path always holds a complete
 * binary, and the running process keeps its open inode and runs on untouched.
 *
 * Windows: a running exe cannot be overwritten or deleted, but it can be renamed. So the
 * current exe is renamed to `.old` and the new one moved into the freed name; if that second
 * move fails the old one is renamed back. A stale `.old` may still be locked by a process
 * that has not exited yet; then it is left for the next upgrade to remove.
 */
import { copyFileSync, existsSync, linkSync, renameSync, rmSync } from "node:fs";
import { UpgradeError } from "./errors.ts";
import type { SidePaths } from "./install-location.ts";

/** Moves `paths.next` over `paths.binary`, keeping the current binary as `paths.previous`. */
export function swapIn(paths: SidePaths, platform: string = process.platform): void {
  removeStale(paths.previous);
  if (platform === "win32") return swapWindows(paths.next, paths.binary, paths.previous);
  try {
    keepCopy(paths.binary, paths.previous);
    renameSync(paths.next, paths.binary);
  } catch (cause) {
    throw new UpgradeError("SWAP_FAILED", `could not move the new binary into place (${(cause as Error).message}); ${paths.binary} is unchanged`, { cause });
  }
}

/** Puts `paths.previous` back; the binary it replaces becomes the new `.old`, so a rollback can be undone. */
export function rollBack(paths: SidePaths, platform: string = process.platform): void {
  if (!existsSync(paths.previous)) throw new UpgradeError("NO_PREVIOUS", `no previous binary at ${paths.previous}; nothing to roll back to`);
  const parked = `${paths.previous}.swap`;
  removeStale(parked);
  if (platform === "win32") {
    swapWindows(paths.previous, paths.binary, parked);
  } else {
    try {
      keepCopy(paths.binary, parked);
      renameSync(paths.previous, paths.binary);
    } catch (cause) {
      rmSync(parked, { force: true });
      throw new UpgradeError("SWAP_FAILED", `could not put the previous binary back (${(cause as Error).message}); ${paths.binary} is unchanged`, { cause });
    }
  }
  renameSync(parked, paths.previous);
}

function swapWindows(next: string, binary: string, previous: string): void {
  try {
    renameSync(binary, previous);
  } catch (cause) {
    throw new UpgradeError("SWAP_FAILED", `could not rename the running binary (${(cause as Error).message}); ${binary} is unchanged`, { cause });
  }
  try {
    renameSync(next, binary);
  } catch (cause) {
    renameSync(previous, binary);
    throw new UpgradeError("SWAP_FAILED", `could not move the new binary into place (${(cause as Error).message}); ${binary} is unchanged`, { cause });
  }
}

/** A hard link costs no space; file systems without links get a copy. */
function keepCopy(from: string, to: string): void {
  try {
    linkSync(from, to);
  } catch {
    copyFileSync(from, to);
  }
}

function removeStale(path: string): void {
  try {
    rmSync(path, { force: true });
  } catch {
    // Windows: still locked by a process that ran it; the next upgrade tries again.
  }
}
