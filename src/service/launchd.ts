/**
 * @module
 * `outpost service` on macOS: a LaunchDaemon plist loaded into the system domain with
 * `launchctl bootstrap`. Stopping unloads the job (with KeepAlive a plain kill would only
 * restart it); starting loads it again.
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ServiceError } from "./errors.ts";
import { accountIds, readTool, requireRoot, runTool, type ServiceAction, type ServiceManager, type ServicePlan } from "./manager.ts";
import { LAUNCHD_DIR, launchdLabel, renderLaunchdPlist } from "./launchd-plist.ts";
import type { ServiceSpec } from "./spec.ts";

export class LaunchdManager implements ServiceManager {
  readonly #dir: string;

  /** `dir` defaults to `/Library/LaunchDaemons`. */
  constructor(options: { dir?: string } = {}) {
    this.#dir = options.dir ?? LAUNCHD_DIR;
  }

  plistPath(name: string): string {
    return join(this.#dir, `${launchdLabel(name)}.plist`);
  }

  plan(spec: ServiceSpec, options: { start: boolean }): ServicePlan {
    const plist = this.plistPath(spec.name);
    const commands = options.start ? [["launchctl", "bootout", `system/${launchdLabel(spec.name)}`], ["launchctl", "bootstrap", "system", plist]] : [];
    return { files: [{ path: plist, text: renderLaunchdPlist(spec) }], commands, warnings: [] };
  }

  async install(spec: ServiceSpec, options: { start: boolean }): Promise<string[]> {
    requireRoot("installing a LaunchDaemon");
    if (spec.user && spec.user !== "root" && !accountIds(spec.user)) {
      throw new ServiceError("USER_MISSING", `user ${spec.user} does not exist; create it first (System Settings or dscl)`);
    }
    mkdirSync(spec.logDir, { recursive: true });
    const plist = this.plistPath(spec.name);
    writeFileSync(plist, renderLaunchdPlist(spec), { mode: 0o644 });
    const done = [`wrote ${plist}`];
    if (!options.start) return [...done, `not started (--no-start); to start: launchctl bootstrap system ${plist}`];
    if (this.#loaded(spec.name)) runTool(["launchctl", "bootout", `system/${launchdLabel(spec.name)}`], { allowFailure: true });
    runTool(["launchctl", "bootstrap", "system", plist]);
    return [...done, `loaded and started ${launchdLabel(spec.name)}`];
  }

  async uninstall(name: string): Promise<string[]> {
    const plist = this.plistPath(name);
    if (!existsSync(plist)) throw new ServiceError("NOT_INSTALLED", `${plist} does not exist; nothing to uninstall`);
    requireRoot("removing a LaunchDaemon");
    if (this.#loaded(name)) runTool(["launchctl", "bootout", `system/${launchdLabel(name)}`], { allowFailure: true });
    rmSync(plist);
    return [`stopped ${launchdLabel(name)}`, `removed ${plist}`];
  }

  async control(action: ServiceAction, name: string): Promise<number> {
    const target = `system/${launchdLabel(name)}`;
    if (action === "status") return runTool(["launchctl", "print", target], { allowFailure: true });
    if (action === "stop") return this.#loaded(name) ? runTool(["launchctl", "bootout", target], { allowFailure: true }) : 0;
    if (this.#loaded(name)) return runTool(["launchctl", "kickstart", target], { allowFailure: true });
    return runTool(["launchctl", "bootstrap", "system", this.plistPath(name)], { allowFailure: true });
  }

  #loaded(name: string): boolean {
    return readTool(["launchctl", "print", `system/${launchdLabel(name)}`]) !== undefined;
  }
}
