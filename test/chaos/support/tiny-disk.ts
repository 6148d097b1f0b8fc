/**
 * @module
 * A folder that runs out of space, for disk-full tests: a 1 MiB tmpfs mounted on it when
 * this process may mount (root in CI), else the folder made read-only (writes then fail
 * with EROFS-like EACCES as a non-root user, so the test expects a different code).
 */
import { chmodSync, mkdirSync } from "node:fs";

export interface TinyDisk {
  readonly path: string;
  /** How the disk was made full. */
  readonly method: "tmpfs" | "read-only";
  /** Unmounts or makes the folder writable again. */
  release(): void;
}

/** Mounts a 1 MiB tmpfs on `path` (created), or falls back to a read-only folder. */
export function mountTinyDisk(path: string): TinyDisk {
  mkdirSync(path, { recursive: true });
  const mount = Bun.spawnSync(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", path], { stderr: "pipe" });
  if (mount.exitCode === 0) {
    return { path, method: "tmpfs", release: () => void Bun.spawnSync(["umount", "-l", path]) };
  }
  chmodSync(path, 0o555);
  return { path, method: "read-only", release: () => chmodSync(path, 0o755) };
}
