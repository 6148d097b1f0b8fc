/**
 * @module
 * Paths checked on what was opened, not on what was named. Checking a path and then using
 * it by name leaves a gap: a folder on the way can be swapped for a symlink to outside in
 * between (`O_NOFOLLOW` guards only the last component). So a read first opens the file,
 * and a change first opens the folder it happens in, and then asks where that descriptor
 * really is. On Linux, `/proc/self/fd/<n>` names it: `readlink` gives its real path, and a
 * path through that magic link resolves through the already opened folder (what `openat`
 * and `renameat` do), so the temp file, the rename and the unlink all happen in the folder
 * that was checked, whatever is swapped by name meanwhile.
 *
 * Elsewhere (macOS, Windows) Bun reaches neither `F_GETPATH` nor
 * `GetFinalPathNameByHandle`: the fallback compares the opened file's inode with the
 * path's and checks the path's real path after the open, and changes use paths by name
 * after checking the folder's real path. That narrows the race but cannot close it.
 *
 * A file replaced or moved between the open and the check is not an attack: the work is
 * tried once more from the path check on, then answered with a retryable UNAVAILABLE.
 */
import { constants, existsSync, type Stats } from "node:fs";
import { lstat, open, readlink, realpath, stat, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import { ConnectorError } from "../errors.ts";
import { forbidden, isInside } from "./files-paths.ts";

/** Whether open descriptors can be named and checked (Linux with /proc). */
export const BY_DESCRIPTOR = process.platform === "linux" && existsSync("/proc/self/fd");

export interface CheckOptions {
  /** The real path of the profile's base. */
  base: string;
  followSymlinks: boolean;
}

/** The file or folder at a checked path changed while it was being opened; retryable. */
export class ChangedWhileOpened extends ConnectorError {
  constructor(rel: string) {
    super("UNAVAILABLE", `"${rel || "/"}" was replaced or moved while it was being opened; try again`, { retryable: true });
  }
}

/** Runs `work` (path check included) once more when what it opened changed under it. */
export async function onceMoreIfChanged<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ChangedWhileOpened) return work();
    throw error;
  }
}

/**
 * Throws unless the opened `handle` (whose fstat is `stats`) is what `abs` names under the
 * base: FORBIDDEN_PATH when it is outside, ChangedWhileOpened when it was replaced or moved
 * (or, symlinks refused, reached through one that appeared after the path check).
 */
export async function checkOpened(handle: FileHandle, stats: Stats, abs: string, rel: string, options: CheckOptions): Promise<void> {
  let real: string;
  if (BY_DESCRIPTOR) {
    // An unlinked file's link text gets " (deleted)"; nlink says so without guessing.
    if (stats.nlink === 0) throw new ChangedWhileOpened(rel);
    real = await readlink(`/proc/self/fd/${handle.fd}`);
  } else {
    const named = await (options.followSymlinks ? stat(abs) : lstat(abs));
    if (named.ino !== stats.ino || named.dev !== stats.dev) throw new ChangedWhileOpened(rel);
    real = await realpath(abs);
  }
  if (!isInside(options.base, real)) throw forbidden(rel, "it led outside the base when it was opened");
  if (!options.followSymlinks && real !== abs) throw new ChangedWhileOpened(rel);
}

/** A folder opened and checked; `at(name)` names an entry in it, through the descriptor where possible. */
export interface OpenedFolder {
  at(name: string): string;
  /** fsync of the folder (a rename in it made durable); nothing on Windows. */
  sync(): Promise<void>;
  close(): Promise<void>;
}

/** Opens the folder `abs` (relative path `rel`) and checks it as above. */
export async function openFolder(abs: string, rel: string, options: CheckOptions): Promise<OpenedFolder> {
  if (!BY_DESCRIPTOR) return openFolderByName(abs, rel, options);
  const flags = constants.O_RDONLY | constants.O_DIRECTORY | (options.followSymlinks ? 0 : constants.O_NOFOLLOW);
  const handle = await open(abs, flags).catch(async (error: NodeJS.ErrnoException) => {
    // O_NOFOLLOW with O_DIRECTORY answers a symlink with ENOTDIR, not ELOOP; a folder there now was swapped back meanwhile.
    if (error.code !== "ENOTDIR" || options.followSymlinks) throw error;
    const now = await lstat(abs).catch(() => undefined);
    if (now?.isSymbolicLink()) throw forbidden(rel, "symlinks are not followed by this profile");
    if (now?.isDirectory()) throw new ChangedWhileOpened(rel);
    throw error;
  });
  try {
    const stats = await handle.stat();
    await checkOpened(handle, stats, abs, rel, options);
  } catch (error) {
    await handle.close();
    throw error;
  }
  const prefix = `/proc/self/fd/${handle.fd}`;
  return {
    at: (name) => (name === "" ? prefix : join(prefix, name)),
    sync: () => handle.sync(),
    close: () => handle.close(),
  };
}

async function openFolderByName(abs: string, rel: string, options: CheckOptions): Promise<OpenedFolder> {
  const real = await realpath(abs);
  if (!isInside(options.base, real)) throw forbidden(rel, "it leads outside the base");
  if (!options.followSymlinks && real !== abs) throw new ChangedWhileOpened(rel);
  if (!(await stat(real)).isDirectory()) throw new ConnectorError("BAD_REQUEST", `"${rel}" is not a folder`);
  return {
    at: (name) => (name === "" ? abs : join(abs, name)),
    async sync() {
      // Folders cannot be opened for sync on Windows.
      if (process.platform === "win32") return;
      const handle = await open(abs, "r");
      await handle.sync().finally(() => handle.close());
    },
    close: async () => {},
  };
}

/** Opens the folder, runs `work` in it and closes it again. */
export async function inFolder<T>(abs: string, rel: string, options: CheckOptions, work: (folder: OpenedFolder) => Promise<T>): Promise<T> {
  const folder = await openFolder(abs, rel, options);
  try {
    return await work(folder);
  } finally {
    await folder.close();
  }
}
