/**
 * @module
 * Runs the real CLI as a subprocess (`bun src/cli/main.ts ...`) in a throwaway folder,
 * so tests see exactly what a person sees: stdout, stderr lines and the exit code.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const MAIN = resolve(import.meta.dir, "../../src/cli/main.ts");

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  /** Non-empty stderr lines. */
  errLines: string[];
}

export function tempDir(prefix = "outpost-cli-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export async function runCli(args: string[], options: { cwd?: string; env?: Record<string, string>; stdin?: string } = {}): Promise<CliResult> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith("OUTPOST_")) env[k] = v;
  const child = Bun.spawn([process.execPath, MAIN, ...args], {
    cwd: options.cwd ?? tempDir(),
    env: { ...env, ...options.env },
    stdin: options.stdin === undefined ? "ignore" : new TextEncoder().encode(options.stdin),
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  return { code, stdout, stderr, errLines: stderr.split("\n").filter((l) => l.trim() !== "") };
}
