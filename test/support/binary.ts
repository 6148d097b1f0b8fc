/**
 * @module
 * The compiled `dist/outpost-linux-x64` for end-to-end tests: built here when missing or
 * older than the sources (.ci/run builds it before the tests), and a small runner.
 */
import { expect } from "bun:test";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";

export const REPO = resolve(import.meta.dir, "../..");
export const BINARY = join(REPO, "dist/outpost-linux-x64");

/** Newest modification time of the inputs of a build. */
function newestSource(): number {
  const inputs = ["package.json", ...["src", "build"].flatMap((dir) => readdirSync(join(REPO, dir), { recursive: true }).map((f) => join(dir, String(f))))];
  return Math.max(...inputs.map((path) => statSync(join(REPO, path)).mtimeMs));
}

/** Builds the linux-x64 binary unless an up-to-date one exists. */
export async function ensureBinary(): Promise<string> {
  if (!existsSync(BINARY) || statSync(BINARY).mtimeMs < newestSource()) {
    const build = Bun.spawn(["bun", join(REPO, "build/build.ts"), "--target", "linux-x64"], { cwd: REPO, stdout: "inherit", stderr: "inherit" });
    if ((await build.exited) !== 0) throw new Error("building dist/outpost-linux-x64 failed");
  }
  return BINARY;
}

export interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the linux-x64 binary to completion with `OUTPOST_CONFIG` cleared unless given. */
export function runBinary(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): Promise<Run> {
  return runCommand([BINARY, ...args], options);
}

/** Runs any command (a binary under qemu, say) to completion with `OUTPOST_CONFIG` cleared unless given. */
export async function runCommand(cmd: string[], options: { cwd?: string; env?: Record<string, string> } = {}): Promise<Run> {
  const env: Record<string, string | undefined> = { ...process.env, ...options.env };
  if (!options.env?.OUTPOST_CONFIG) delete env.OUTPOST_CONFIG;
  const proc = Bun.spawn(cmd, { cwd: options.cwd, env, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, stdout, stderr };
}

/**
 * What `outpost dev --check` prints when the demo worked on some build: the SQLite query,
 * the folder listing and the download all answered 200 through the TLS tunnel, nothing on
 * stderr, exit 0.
 */
export function expectDemoChecked(run: Run): void {
  expect(run.stderr).toBe("");
  expect(run.code).toBe(0);
  expect(run.stdout.match(/^ok {3}200 /gm)).toHaveLength(3);
  expect(run.stdout).toContain("ok   200 Query the SQLite database behind the agent");
  expect(run.stdout).toContain('"rows":[{"name":"Lamp","price":24.5}');
  expect(run.stdout).toContain("ok   200 Download a file");
  expect(run.stdout).toContain("Hello from a folder behind the firewall.");
}
