/**
 * @module
 * Where the running binary lives and whether we may replace it. Refused:
 * - a binary that a package manager owns: its real path is under a system or package
 *   folder (PACKAGE_MANAGED_PREFIXES) or a file named `.package-managed` sits beside it —
 *   packagers drop that marker so `outpost upgrade` points people at their tool instead;
 * - a folder we cannot write (checked by creating a probe file, because `access()` says
 *   yes to root even on an immutable folder).
 */
import { closeSync, existsSync, openSync, rmSync } from "node:fs";
import { basename, dirname, extname, join } from "node:path";
import { notWritable } from "./download.ts";
import { UpgradeError } from "./errors.ts";

/** Real-path prefixes that belong to package managers (dpkg/rpm, Homebrew, Nix, snap). */
export const PACKAGE_MANAGED_PREFIXES: readonly string[] = ["/usr/bin/", "/usr/sbin/", "/bin/", "/sbin/", "/usr/lib/", "/usr/libexec/", "/opt/homebrew/", "/usr/local/Cellar/", "/home/linuxbrew/", "/nix/store/", "/snap/"];

/** The marker file a packager puts beside the binary. */
export const PACKAGE_MARKER = ".package-managed";

/** Paths of the files an upgrade uses beside `binary`. */
export interface SidePaths {
  binary: string;
  /** The downloaded archive. */
  download: string;
  /** The extracted new binary before the swap. */
  next: string;
  /** The previous binary, kept for `--rollback`. */
  previous: string;
}

/**
 * Side files sit in the binary's folder so renames stay on one file system. On Windows the
 * executable must keep its `.exe` ending to run, so the tag goes before it (`outpost.new.exe`).
 */
export function sidePaths(binary: string, platform: string = process.platform): SidePaths {
  const side = (tag: string) => {
    if (platform !== "win32") return `${binary}.${tag}`;
    const ext = extname(binary);
    return join(dirname(binary), `${basename(binary, ext)}.${tag}${ext}`);
  };
  return { binary, download: side("download"), next: side("new"), previous: side("old") };
}

/** Throws PACKAGE_MANAGED or NOT_WRITABLE when `binary` must not be replaced by us. */
export function checkReplaceable(binary: string): void {
  const owner = PACKAGE_MANAGED_PREFIXES.find((prefix) => binary.startsWith(prefix));
  const marker = join(dirname(binary), PACKAGE_MARKER);
  if (owner || existsSync(marker)) {
    const why = owner ? `it lives under ${owner}` : `${marker} exists`;
    throw new UpgradeError("PACKAGE_MANAGED", `${binary} is managed by a package manager (${why}); upgrade it with that package manager`);
  }
  const probe = join(dirname(binary), `.outpost-upgrade-probe-${process.pid}`);
  try {
    closeSync(openSync(probe, "wx", 0o600));
  } catch (cause) {
    const error = notWritable(cause);
    throw new UpgradeError("NOT_WRITABLE", `${dirname(binary)}: ${error.message}`, { cause });
  } finally {
    rmSync(probe, { force: true });
  }
}
