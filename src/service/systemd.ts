/**
 * @module
 * `outpost service` on Linux: writes the unit, creates the dedicated account if asked
 * (`useradd --system`), hands it the agent's files, and enables and starts the unit. On a
 * host not booted with systemd (a container, a chroot) it prints what to run instead.
 */
import { chownSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { ServiceError } from "./errors.ts";
import { accountIds, requireRoot, runTool, type ServiceAction, type ServiceManager, type ServicePlan } from "./manager.ts";
import { systemdSandboxWarnings } from "./sandbox.ts";
import type { ServiceSpec } from "./spec.ts";
import { renderSystemdUnit, SYSTEMD_UNIT_DIR } from "./systemd-unit.ts";

export interface SystemdOptions {
  /** Where the unit is written. Defaults to `/etc/systemd/system` (then root is required). */
  unitDir?: string;
  /** Whether systemctl can act: a `systemctl` binary on a host booted with systemd. Defaults to detecting it. */
  systemctl?: boolean;
}

export class SystemdManager implements ServiceManager {
  readonly #unitDir: string;
  readonly #systemctl: boolean;

  constructor(options: SystemdOptions = {}) {
    this.#unitDir = options.unitDir ?? SYSTEMD_UNIT_DIR;
    this.#systemctl = options.systemctl ?? (Bun.which("systemctl") !== null && existsSync("/run/systemd/system"));
  }

  unitPath(name: string): string {
    return join(this.#unitDir, `${name}.service`);
  }

  plan(spec: ServiceSpec, options: { start: boolean }): ServicePlan {
    const commands: string[][] = [];
    if (spec.user && spec.user !== "root") {
      if (!accountIds(spec.user)) commands.push(useradd(spec));
      commands.push(["chown", `${spec.user}:${spec.user}`, `${dirname(spec.configPath)} (and its top-level files)`, spec.logDir]);
    }
    if (options.start) commands.push(...startCommands(spec.name));
    return {
      files: [{ path: this.unitPath(spec.name), text: renderSystemdUnit(spec) }],
      commands,
      warnings: systemdSandboxWarnings(spec.neededPaths, spec.readWritePaths),
    };
  }

  async install(spec: ServiceSpec, options: { start: boolean }): Promise<string[]> {
    if (this.#unitDir === SYSTEMD_UNIT_DIR) requireRoot("installing a systemd unit");
    const done: string[] = [];
    if (spec.user && spec.user !== "root") done.push(...this.#prepareAccount(spec));
    mkdirSync(this.#unitDir, { recursive: true });
    const unit = this.unitPath(spec.name);
    writeFileSync(unit, renderSystemdUnit(spec), { mode: 0o644 });
    done.push(`wrote ${unit}`);
    const commands = startCommands(spec.name);
    if (!options.start) done.push(`not started (--no-start); to start: ${commands.map((c) => c.join(" ")).join(" && ")}`);
    else if (!this.#systemctl) done.push(`systemd is not running here; on the target host run: ${commands.map((c) => c.join(" ")).join(" && ")}`);
    else {
      for (const command of commands) runTool(command);
      done.push(`enabled and started ${spec.name}.service`);
    }
    return done;
  }

  async uninstall(name: string): Promise<string[]> {
    const unit = this.unitPath(name);
    if (!existsSync(unit)) throw new ServiceError("NOT_INSTALLED", `${unit} does not exist; nothing to uninstall`);
    if (this.#unitDir === SYSTEMD_UNIT_DIR) requireRoot("removing a systemd unit");
    const done: string[] = [];
    if (this.#systemctl) {
      runTool(["systemctl", "disable", "--now", name], { allowFailure: true });
      done.push(`stopped and disabled ${name}.service`);
    }
    rmSync(unit);
    done.push(`removed ${unit}`);
    if (this.#systemctl) runTool(["systemctl", "daemon-reload"]);
    return done;
  }

  async control(action: ServiceAction, name: string): Promise<number> {
    if (!this.#systemctl) throw new ServiceError("COMMAND_FAILED", `systemd is not running on this host; cannot ${action} ${name}.service`);
    return runTool(["systemctl", action, `${name}.service`], { allowFailure: true });
  }

  /** Creates the account if missing and gives it the config folder's files and the log folder. */
  #prepareAccount(spec: ServiceSpec): string[] {
    const user = spec.user!;
    const done: string[] = [];
    let ids = accountIds(user);
    if (!ids) {
      requireRoot(`creating the user ${user}`);
      runTool(useradd(spec));
      ids = accountIds(user);
      if (!ids) throw new ServiceError("USER_MISSING", `useradd did not create ${user}`);
      done.push(`created system user ${user}`);
    }
    const configDir = dirname(spec.configPath);
    mkdirSync(spec.logDir, { recursive: true });
    // The identity file is 0600: the service account must own it to read it.
    const owned = [configDir, spec.logDir, ...readdirSync(configDir).map((file) => join(configDir, file))];
    for (const path of new Set(owned)) chownSync(path, ids.uid, ids.gid);
    done.push(`gave ${user} ownership of ${configDir} (top level) and ${spec.logDir}`);
    return done;
  }
}

function startCommands(name: string): string[][] {
  return [["systemctl", "daemon-reload"], ["systemctl", "enable", "--now", name]];
}

/** A system account without a home or a shell, "living" in the config folder. */
function useradd(spec: ServiceSpec): string[] {
  return ["useradd", "--system", "--no-create-home", "--home-dir", dirname(spec.configPath), "--shell", "/usr/sbin/nologin", spec.user!];
}
