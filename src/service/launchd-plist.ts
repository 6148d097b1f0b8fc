/**
 * @module
 * The launchd job for the agent on macOS: started at boot and kept alive (launchd starts
 * it again after any exit, an upgrade's included), with stdout and stderr in files.
 */
import type { ServiceSpec } from "./spec.ts";
import { escapeXml } from "./xml.ts";

export const LAUNCHD_DIR = "/Library/LaunchDaemons";

/** `com.outpost.agent` for the default service name, `com.outpost.<name>` otherwise. */
export function launchdLabel(name: string): string {
  return name === "outpost" ? "com.outpost.agent" : `com.outpost.${name}`;
}

export function renderLaunchdPlist(spec: ServiceSpec): string {
  const string = (value: string) => `<string>${escapeXml(value)}</string>`;
  const key = (name: string) => `  <key>${name}</key>`;
  const args = [spec.binary, "run", "--config", spec.configPath].map((arg) => `    ${string(arg)}`);
  const user = spec.user && spec.user !== "root" ? [key("UserName"), `  ${string(spec.user)}`] : [];
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">`,
    `<!-- Written by outpost service install; outpost service uninstall removes it. -->`,
    `<plist version="1.0">`,
    `<dict>`,
    key("Label"), `  ${string(launchdLabel(spec.name))}`,
    key("ProgramArguments"), "  <array>", ...args, "  </array>",
    key("WorkingDirectory"), `  ${string(spec.configPath.slice(0, spec.configPath.lastIndexOf("/")) || "/")}`,
    ...user,
    key("RunAtLoad"), "  <true/>",
    key("KeepAlive"), "  <true/>",
    // launchd's default throttle is 10 s; an upgrade restart should not wait that long.
    key("ThrottleInterval"), "  <integer>2</integer>",
    key("ExitTimeOut"), `  <integer>${spec.stopTimeoutSeconds}</integer>`,
    key("StandardOutPath"), `  ${string(`${spec.logDir}/${spec.name}.out.log`)}`,
    key("StandardErrorPath"), `  ${string(`${spec.logDir}/${spec.name}.err.log`)}`,
    `</dict>`,
    `</plist>`,
    "",
  ].join("\n");
}
