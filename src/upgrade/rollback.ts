/**
 * @module
 * `outpost upgrade --rollback`: puts the binary kept by the last upgrade back in place,
 * after the same replaceability checks as an upgrade and a smoke test of the old binary.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { UpgradeError } from "./errors.ts";
import { checkReplaceable, sidePaths } from "./install-location.ts";
import { rollBack } from "./swap.ts";

export interface RollbackOptions {
  /** Binary to restore. Defaults to `process.execPath`. */
  binaryPath?: string;
}

/** Restores `<binary>.old`; returns the version it prints. Throws NO_PREVIOUS, NOT_WRITABLE, SMOKE_TEST_FAILED, SWAP_FAILED. */
export function rollbackUpgrade(options: RollbackOptions = {}): { binaryPath: string; version: string } {
  const binaryPath = options.binaryPath ?? process.execPath;
  const paths = sidePaths(binaryPath);
  if (!existsSync(paths.previous)) throw new UpgradeError("NO_PREVIOUS", `no previous binary at ${paths.previous}; nothing to roll back to`);
  checkReplaceable(binaryPath);
  const run = spawnSync(paths.previous, ["--version"], { encoding: "utf8", timeout: 60_000, stdio: ["ignore", "pipe", "pipe"] });
  if (run.status !== 0) throw new UpgradeError("SMOKE_TEST_FAILED", `${paths.previous} does not run (${run.error?.message ?? `exit code ${run.status}`}); nothing was changed`);
  rollBack(paths);
  return { binaryPath, version: run.stdout.trim() };
}
