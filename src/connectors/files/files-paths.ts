/**
 * @module
 * Turns a caller's path into an absolute path that provably stays under the profile's
 * base. The text is checked first (no absolute paths, `..`, NUL, backslashes, drive
 * letters, UNC or `:` streams), then the file system at the moment of use: every existing
 * component is `lstat`-ed, a symlink is refused outright unless `follow_symlinks` is on,
 * and then the real path of the deepest existing ancestor must still lie under the real
 * base. Nothing is cached, so a symlink swapped in after an earlier call is seen.
 *
 * A race remains between this check and the operation (no `openat2(RESOLVE_BENEATH)` in
 * Bun): files-opened.ts closes it by checking what was then opened.
 */
import { lstat, realpath } from "node:fs/promises";
import { join, sep } from "node:path";
import { ConnectorError } from "../errors.ts";

export interface SafePath {
  /** Absolute path under the base, built lexically (symlinks are not substituted). */
  abs: string;
  /** `/`-separated path relative to the base; `""` is the base itself. */
  rel: string;
  /** The last segment; `""` for the base. */
  name: string;
}

const DRIVE = /^[A-Za-z]:/;

export function forbidden(path: string, why: string): ConnectorError {
  return new ConnectorError("FORBIDDEN_PATH", `path "${printable(path)}" is not allowed: ${why}`);
}

/** Splits and checks the text of a path; throws FORBIDDEN_PATH on any escape attempt. */
export function parseRelativePath(path: string): string[] {
  if (typeof path !== "string") throw new ConnectorError("BAD_REQUEST", "path must be a string");
  if (path.includes("\0")) throw forbidden(path, "NUL byte");
  if (path.includes("\\")) throw forbidden(path, "backslash");
  if (DRIVE.test(path)) throw forbidden(path, "drive letter");
  if (path.startsWith("/")) throw forbidden(path, "absolute path");
  const segments = path.split("/").filter((s) => s !== "" && s !== ".");
  for (const segment of segments) {
    if (segment === "..") throw forbidden(path, "parent segment");
    // `name:stream` opens an NTFS alternate data stream on Windows.
    if (process.platform === "win32" && segment.includes(":")) throw forbidden(path, "colon");
  }
  return segments;
}

/** Checks one file name (for rename): no separators, not `.`/`..`. */
export function parseName(name: string): string {
  const segments = parseRelativePath(name);
  if (segments.length !== 1 || segments[0] !== name) {
    throw new ConnectorError("BAD_REQUEST", `"${printable(name)}" must be a single file name`);
  }
  return name;
}

/**
 * Resolves `path` under `base` (itself an absolute real path) and checks it on disk now.
 * `followSymlinks: false` refuses a symlink anywhere in the path, even one that stays inside.
 */
export async function resolveSafePath(base: string, path: string, followSymlinks: boolean): Promise<SafePath> {
  const segments = parseRelativePath(path);
  let current = base;
  let deepestExisting = base;
  let sawSymlink = false;
  for (const segment of segments) {
    current = join(current, segment);
    const stats = await lstat(current).catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT" || error.code === "ENOTDIR") return undefined;
      throw error;
    });
    if (!stats) break;
    if (stats.isSymbolicLink()) {
      if (!followSymlinks) throw forbidden(path, "symlinks are not followed by this profile");
      sawSymlink = true;
    }
    deepestExisting = current;
  }
  if (sawSymlink) {
    const real = await realpath(deepestExisting);
    if (!isInside(base, real)) throw forbidden(path, "a symlink leads outside the base");
  }
  const rel = segments.join("/");
  return { abs: segments.length === 0 ? base : join(base, ...segments), rel, name: segments.at(-1) ?? "" };
}

export function isInside(base: string, candidate: string): boolean {
  return candidate === base || candidate.startsWith(base.endsWith(sep) ? base : base + sep);
}

/** Joins a relative folder and a name the way entries report paths. */
export function joinRel(folder: string, name: string): string {
  return folder === "" ? name : `${folder}/${name}`;
}

/** Paths in messages: control characters shown escaped, long ones cut. */
function printable(path: string): string {
  const shown = JSON.stringify(String(path)).slice(1, -1);
  return shown.length > 200 ? shown.slice(0, 200) + "…" : shown;
}
