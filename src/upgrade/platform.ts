/**
 * @module
 * Which release file fits this machine: the target name of build/targets.ts
 * (`linux-x64`, `linux-arm64-musl`, `windows-x64`, `darwin-arm64`, ...).
 */
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

/** The release target for this process; undefined for an OS or CPU we do not ship. */
export function currentTarget(platform: string = process.platform, arch: string = process.arch): string | undefined {
  if (arch !== "x64" && arch !== "arm64") return undefined;
  if (platform === "linux") return `linux-${arch}${isMusl() ? "-musl" : ""}`;
  if (platform === "win32") return `windows-${arch}`;
  // An x64 binary under Rosetta on Apple silicon should become the native arm64 one.
  if (platform === "darwin") return `darwin-${arch === "x64" && underRosetta() ? "arm64" : arch}`;
  return undefined;
}

/**
 * Whether this process runs on musl: the running binary fits this machine, so the libc it
 * has mapped is the one to keep. The presence of musl's loader in /lib is not enough: a
 * glibc system may carry it too (Debian's musl package). Without /proc, that is the guess.
 */
export function isMusl(maps: () => string = () => readFileSync("/proc/self/maps", "utf8")): boolean {
  try {
    return /\/ld-musl-[^/\s]*$/m.test(maps());
  } catch {
    try {
      return readdirSync("/lib").some((name) => name.startsWith("ld-musl-"));
    } catch {
      return false;
    }
  }
}

function underRosetta(): boolean {
  const result = spawnSync("sysctl", ["-n", "sysctl.proc_translated"], { encoding: "utf8" });
  return result.status === 0 && result.stdout.trim() === "1";
}
