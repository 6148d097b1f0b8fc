/**
 * @module
 * `outpost doctor` (and `config validate --online`): every check in order — the files
 * config.yml names, the identity, each profile's target, the gateway through the proxy, the
 * clock — one result each. Profiles are checked at once, each within its short timeout, so
 * the whole run takes about as long as the slowest target.
 */
import { dirname } from "node:path";
import type { LoadedConfig } from "../../config/load.ts";
import type { Logger } from "../../log/logger.ts";
import { silentLogger } from "../../log/logger.ts";
import { ProfileSet } from "../profiles.ts";
import type { CheckResult } from "./check.ts";
import { checkFiles } from "./file-checks.ts";
import { checkGateway } from "./gateway-check.ts";
import { checkIdentity } from "./identity-check.ts";
import { checkProfileHealth, toCheckResult } from "./profile-checks.ts";

export interface DoctorOptions {
  /** Connector log lines (init failures) go here. Defaults to none: doctor prints its own lines. */
  log?: Logger;
  /** Seconds per profile and for the gateway. Defaults to 5. */
  timeoutSeconds?: number;
  env?: Record<string, string | undefined>;
}

export async function runDoctor(loaded: LoadedConfig, options: DoctorOptions = {}): Promise<CheckResult[]> {
  const timeoutMs = (options.timeoutSeconds ?? 5) * 1000;
  const profiles = await ProfileSet.create(loaded, { log: options.log ?? silentLogger, baseDir: dirname(loaded.path) });
  try {
    const [profileResults, gatewayResults] = await Promise.all([
      Promise.all(profiles.all().map(async (profile) => toCheckResult(profile, loaded, await checkProfileHealth(loaded, profile, timeoutMs)))),
      checkGateway(loaded, { timeoutSeconds: options.timeoutSeconds, env: options.env }),
    ]);
    return [...checkFiles(loaded), checkIdentity(loaded), ...profileResults, ...gatewayResults];
  } finally {
    await profiles.close();
  }
}

/** Whether any check failed (doctor then exits non-zero). */
export function anyFailed(results: CheckResult[]): boolean {
  return results.some((result) => result.verdict === "fail");
}
