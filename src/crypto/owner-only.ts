/**
 * @module
 * Restricts a secret file to the current user. On POSIX the file is created with mode
 * 0600 already; Windows ignores modes, so there the inherited ACL is removed and only the
 * current user is granted access with `icacls` (not testable on Linux).
 */

/** Makes `path` readable by its owner only. A no-op on POSIX (the mode did it). */
export function restrictToOwner(path: string): void {
  if (process.platform !== "win32") return;
  const user = process.env.USERNAME;
  if (!user) throw new Error(`cannot restrict ${path} to the current user: USERNAME is not set`);
  const result = Bun.spawnSync(["icacls", path, "/inheritance:r", "/grant:r", `${user}:F`], {
    stdout: "ignore",
    stderr: "pipe",
  });
  if (result.exitCode !== 0) {
    throw new Error(`icacls could not restrict ${path} to ${user}: ${result.stderr.toString().trim()}`);
  }
}
