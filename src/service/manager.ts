/**
 * @module
 * The one interface `outpost service` drives, with one implementation per service manager
 * (systemd, launchd, WinSW), and the small helpers they share to run system tools.
 */
import { ServiceError } from "./errors.ts";
import type { ServiceSpec } from "./spec.ts";

export type ServiceAction = "start" | "stop" | "status";

/** What `install` would do, for `--dry-run` and the sandbox warnings; nothing is touched to make it. */
export interface ServicePlan {
  /** Files it writes, with their content (a binary file's text says what it is). */
  files: { path: string; text: string }[];
  /** Commands it runs, in order. */
  commands: string[][];
  /** Paths the service would not see or could not write (systemd's sandbox); empty elsewhere. */
  warnings: string[];
}

export interface ServiceManager {
  /** Describes `install(spec, options)` without doing any of it. */
  plan(spec: ServiceSpec, options: { start: boolean }): ServicePlan;
  /** Writes the service files and registers them; starts the service unless `start` is false. Returns what it did, a line each. */
  install(spec: ServiceSpec, options: { start: boolean }): Promise<string[]>;
  /** Stops and unregisters the service and removes its files. Returns what it did. */
  uninstall(name: string): Promise<string[]>;
  /** Runs the manager's own command with its output on this terminal; resolves with its exit code. */
  control(action: ServiceAction, name: string): Promise<number>;
}

/** Runs a tool to completion; its output goes to this terminal. Throws COMMAND_FAILED unless `allowFailure`. */
export function runTool(argv: string[], options: { allowFailure?: boolean } = {}): number {
  const result = Bun.spawnSync(argv, { stdin: "inherit", stdout: "inherit", stderr: "inherit" });
  if (!result.success && !options.allowFailure) {
    throw new ServiceError("COMMAND_FAILED", `\`${argv.join(" ")}\` failed with exit code ${result.exitCode}`);
  }
  return result.exitCode;
}

/** Runs a tool quietly and returns its trimmed stdout, or undefined if it failed. */
export function readTool(argv: string[]): string | undefined {
  const result = Bun.spawnSync(argv, { stdin: "ignore", stdout: "pipe", stderr: "ignore" });
  return result.success ? result.stdout.toString().trim() : undefined;
}

/** Numeric uid and gid of an account, or undefined when it does not exist. */
export function accountIds(user: string): { uid: number; gid: number } | undefined {
  const uid = readTool(["id", "-u", user]);
  const gid = readTool(["id", "-g", user]);
  return uid !== undefined && gid !== undefined ? { uid: Number(uid), gid: Number(gid) } : undefined;
}

export function requireRoot(what: string): void {
  if (process.getuid && process.getuid() !== 0) throw new ServiceError("NEEDS_ROOT", `${what} needs root; run it with sudo`);
}
