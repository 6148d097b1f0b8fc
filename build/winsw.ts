/**
 * @module
 * WinSW, the Windows service wrapper embedded in the Windows executables (a plain exe
 * registered with sc.exe fails with error 1053). It comes from the npm package
 * node-windows, which npm refuses to install on Linux (`"os": ["win32"]`), so the build
 * fetches that package's tarball from the npm registry with `npm pack` and keeps the exe
 * in `.tmp/vendor/` — the one place it lives; nothing is committed.
 */
import { existsSync, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";

export const WINSW_PACKAGE = "node-windows@0.1.14";
const VENDOR = resolve(import.meta.dir, "../.tmp/vendor/node-windows-0.1.14");

/** Path of winsw.exe, fetched once from the npm registry. */
export async function ensureWinsw(): Promise<string> {
  const exe = join(VENDOR, "winsw.exe");
  if (existsSync(exe)) return exe;
  mkdirSync(VENDOR, { recursive: true });
  await run(["npm", "pack", WINSW_PACKAGE, "--pack-destination", VENDOR, "--silent"]);
  await run(["tar", "-xzf", join(VENDOR, "node-windows-0.1.14.tgz"), "-C", VENDOR, "--strip-components=3", "package/bin/winsw/winsw.exe"]);
  if (!existsSync(exe)) throw new Error(`winsw.exe not found in ${WINSW_PACKAGE}`);
  return exe;
}

async function run(argv: string[]) {
  const proc = Bun.spawn(argv, { stdout: "pipe", stderr: "pipe" });
  if ((await proc.exited) !== 0) throw new Error(`${argv.join(" ")} failed: ${await new Response(proc.stderr).text()}`);
}
