/**
 * @module
 * `outpost service` on Windows through WinSW: `outpost-service.exe` (WinSW, embedded in
 * this binary), `outpost-service.xml` and `outpost-service.exe.config` are written next to
 * outpost.exe, then WinSW registers itself with the service control manager and starts.
 */
import { existsSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { ServiceError } from "./errors.ts";
import { runTool, type ServiceAction, type ServiceManager, type ServicePlan } from "./manager.ts";
import type { ServiceSpec } from "./spec.ts";
import { renderWinswXml, WINSW_RUNTIME_CONFIG } from "./winsw-xml.ts";
import { embeddedWinswExe } from "./winsw-asset.ts";

export class WinswManager implements ServiceManager {
  readonly #binary: string;

  /** `binary` is outpost.exe's path; WinSW's files go beside it. */
  constructor(options: { binary: string }) {
    this.#binary = options.binary;
  }

  /** `<dir of outpost.exe>\<name>-service.exe`; its .xml and .exe.config sit beside it. */
  wrapperPath(name: string): string {
    return join(dirname(this.#binary), `${name}-service.exe`);
  }

  plan(spec: ServiceSpec, options: { start: boolean }): ServicePlan {
    const wrapper = this.wrapperPath(spec.name);
    return {
      files: [
        { path: wrapper, text: "(WinSW, the service wrapper embedded in outpost.exe)" },
        { path: wrapper.replace(/\.exe$/, ".xml"), text: renderWinswXml(spec) },
        { path: `${wrapper}.config`, text: WINSW_RUNTIME_CONFIG },
      ],
      commands: [[wrapper, "install"], ...(options.start ? [[wrapper, "start"]] : [])],
      warnings: [],
    };
  }

  async install(spec: ServiceSpec, options: { start: boolean }): Promise<string[]> {
    if (spec.user) throw new ServiceError("UNSUPPORTED_PLATFORM", "--user is not supported on Windows; the service runs as LocalSystem (change the account in services.msc)");
    const wrapper = this.wrapperPath(spec.name);
    await writeWinsw(wrapper);
    writeFileSync(wrapper.replace(/\.exe$/, ".xml"), renderWinswXml(spec));
    writeFileSync(`${wrapper}.config`, WINSW_RUNTIME_CONFIG);
    runTool([wrapper, "install"]);
    const done = [`wrote ${wrapper} (WinSW) and its .xml`, `registered the Windows service ${spec.name}`];
    if (!options.start) return [...done, `not started (--no-start); to start: ${wrapper} start`];
    runTool([wrapper, "start"]);
    return [...done, `started ${spec.name}`];
  }

  async uninstall(name: string): Promise<string[]> {
    const wrapper = this.wrapperPath(name);
    if (!existsSync(wrapper)) throw new ServiceError("NOT_INSTALLED", `${wrapper} does not exist; nothing to uninstall`);
    runTool([wrapper, "stop"], { allowFailure: true });
    runTool([wrapper, "uninstall"]);
    for (const file of [wrapper, wrapper.replace(/\.exe$/, ".xml"), `${wrapper}.config`]) rmSync(file, { force: true });
    return [`stopped and removed the Windows service ${name}`, `removed ${wrapper} and its .xml`];
  }

  async control(action: ServiceAction, name: string): Promise<number> {
    const wrapper = this.wrapperPath(name);
    if (!existsSync(wrapper)) throw new ServiceError("NOT_INSTALLED", `${wrapper} does not exist; run \`outpost service install\` first`);
    return runTool([wrapper, action], { allowFailure: true });
  }
}

/** Writes the embedded WinSW to `path`; Windows builds carry it (see build/winsw.ts). */
async function writeWinsw(path: string): Promise<void> {
  const exe = embeddedWinswExe();
  if (!exe) throw new ServiceError("UNSUPPORTED_PLATFORM", "this build of outpost does not embed WinSW, so it cannot install a Windows service");
  await Bun.write(path, exe);
}
