/**
 * @module
 * What the systemd unit's sandbox hides from the agent, said before the service fails
 * with ENOENT at its first start. The unit (systemd-unit.ts) gives the service its own
 * empty /tmp and /var/tmp (`PrivateTmp=yes`) and /dev (`PrivateDevices=yes`), and makes
 * everything read-only except `ReadWritePaths` (`ProtectSystem=strict`,
 * `ProtectHome=read-only`). The paths come from config.yml (`neededPaths` in spec.ts).
 */
import { isAbsolute, relative } from "node:path";

/** A path the agent opens at run time, and why. */
export interface NeededPath {
  path: string;
  /** What config names it, e.g. `files.shared.base`. */
  what: string;
  /** The agent writes there (then it must be inside a ReadWritePaths entry). */
  write?: boolean;
}

const PRIVATE = [
  { root: "/tmp", setting: "PrivateTmp=yes", effect: "its own empty /tmp" },
  { root: "/var/tmp", setting: "PrivateTmp=yes", effect: "its own empty /var/tmp" },
  { root: "/dev", setting: "PrivateDevices=yes", effect: "its own minimal /dev" },
];

/** One line per needed path the unit would hide or make read-only; empty when all is visible. */
export function systemdSandboxWarnings(needed: readonly NeededPath[], readWritePaths: readonly string[]): string[] {
  const warnings: string[] = [];
  for (const { path, what, write } of needed) {
    const hidden = PRIVATE.find((area) => isWithin(path, area.root));
    if (hidden) {
      warnings.push(`${what} is ${path}, but the unit's ${hidden.setting} gives the service ${hidden.effect}, so it will not see it; move it (e.g. under /etc/outpost or /var/lib/outpost)`);
    } else if (write && !readWritePaths.some((folder) => isWithin(path, folder))) {
      warnings.push(`${what} is ${path}, which the unit makes read-only (ProtectSystem=strict, ProtectHome=read-only); pass --read-write ${path} if the agent writes there`);
    }
  }
  return warnings;
}

function isWithin(path: string, folder: string): boolean {
  const rel = relative(folder, path);
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
}
