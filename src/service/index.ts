/**
 * @module
 * `outpost service`: the agent as a system service — systemd on Linux, launchd on macOS,
 * WinSW on Windows. `managerFor` picks the one for this platform.
 */
import { ServiceError } from "./errors.ts";
import { LaunchdManager } from "./launchd.ts";
import type { ServiceManager } from "./manager.ts";
import { SystemdManager } from "./systemd.ts";
import { WinswManager } from "./windows.ts";

export { ServiceError } from "./errors.ts";
export type { ServiceAction, ServiceManager } from "./manager.ts";
export { serviceSpec, type ServiceSpec, type SpecOptions } from "./spec.ts";
export { renderSystemdUnit } from "./systemd-unit.ts";
export { renderLaunchdPlist } from "./launchd-plist.ts";
export { renderWinswXml } from "./winsw-xml.ts";

export interface ManagerOptions {
  /** outpost's own binary (WinSW's files go beside it). */
  binary: string;
  /** Linux only: write the unit here instead of /etc/systemd/system. */
  unitDir?: string;
  /** Defaults to `process.platform`. */
  platform?: NodeJS.Platform;
}

export function managerFor(options: ManagerOptions): ServiceManager {
  const platform = options.platform ?? process.platform;
  if (platform === "linux") return new SystemdManager({ unitDir: options.unitDir });
  if (options.unitDir) throw new ServiceError("UNSUPPORTED_PLATFORM", "--unit-dir applies to systemd (Linux) only");
  if (platform === "darwin") return new LaunchdManager();
  if (platform === "win32") return new WinswManager({ binary: options.binary });
  throw new ServiceError("UNSUPPORTED_PLATFORM", `no service manager support for ${platform}; run \`outpost run\` under your own supervisor`);
}
