/**
 * @module
 * Where releases come from and how an upgraded process says so.
 */

/**
 * Release base URL used when neither `--base-url` nor `OUTPOST_RELEASE_BASE` is given.
 * A placeholder (`.example` is reserved) until the project has a public release host;
 * install.sh and install.ps1 carry the same value.
 */
export const DEFAULT_RELEASE_BASE = "https://releases.outpost.example";

/**
 * Exit code after a successful swap (75 is EX_TEMPFAIL in sysexits.h: "try again"). The
 * service managers restart the agent on it: systemd `Restart=always`, launchd `KeepAlive`,
 * the Windows service wrapper's restart-on-failure, and it is distinct from 0/1/2 so a
 * script can tell "upgraded, restart me" from success and failure.
 */
export const EXIT_UPGRADED = 75;

/** The base URL in effect: the explicit one, else `OUTPOST_RELEASE_BASE`, else the default. Without a trailing slash. */
export function releaseBase(explicit?: string, env: Record<string, string | undefined> = process.env): string {
  const base = explicit || env.OUTPOST_RELEASE_BASE || DEFAULT_RELEASE_BASE;
  return base.replace(/\/+$/, "");
}
