/**
 * @module
 * The WinSW configuration for the agent on Windows. A plain exe registered with `sc.exe`
 * fails with error 1053 because it never talks to the service control manager; WinSW
 * (`outpost-service.exe`, from the npm package node-windows) does, and runs
 * `outpost.exe run` as its child. The SCM restarts the service 2 s after any failure —
 * the upgrade's exit code included, since it is not 0.
 */
import type { ServiceSpec } from "./spec.ts";
import { escapeXml } from "./xml.ts";

/** WinSW 1.x is a .NET 2 assembly; this lets it run on machines with only .NET 4. */
export const WINSW_RUNTIME_CONFIG = `<configuration>
  <startup>
    <supportedRuntime version="v2.0.50727" />
    <supportedRuntime version="v4.0" />
  </startup>
</configuration>
`;

export function renderWinswXml(spec: ServiceSpec): string {
  const dir = windowsDirname(spec.configPath);
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<!-- Written by outpost service install; outpost service uninstall removes it. -->`,
    `<service>`,
    `  <id>${escapeXml(spec.name)}</id>`,
    `  <name>Outpost agent (${escapeXml(spec.name)})</name>`,
    `  <description>Outpost agent: connects out to the gateway and serves its requests (${escapeXml(spec.configPath)}).</description>`,
    `  <executable>${escapeXml(spec.binary)}</executable>`,
    `  <arguments>run --config ${escapeXml(quoteWindowsArgument(spec.configPath))}</arguments>`,
    `  <workingdirectory>${escapeXml(dir)}</workingdirectory>`,
    `  <startmode>Automatic</startmode>`,
    `  <stoptimeout>${spec.stopTimeoutSeconds} sec</stoptimeout>`,
    `  <onfailure action="restart" delay="2 sec"/>`,
    `  <resetfailure>1 hour</resetfailure>`,
    `  <logpath>${escapeXml(spec.logDir)}</logpath>`,
    `  <log mode="roll-by-size">`,
    `    <sizeThreshold>10240</sizeThreshold>`,
    `    <keepFiles>8</keepFiles>`,
    `  </log>`,
    `</service>`,
    "",
  ].join("\n");
}

function windowsDirname(path: string): string {
  const cut = Math.max(path.lastIndexOf("\\"), path.lastIndexOf("/"));
  return cut > 0 ? path.slice(0, cut) : path;
}

/** Quotes for the Windows command line (CommandLineToArgvW rules) when needed. */
function quoteWindowsArgument(value: string): string {
  if (value !== "" && !/[\s"]/.test(value)) return value;
  return `"${value.replace(/(\\*)"/g, '$1$1\\"').replace(/(\\+)$/, "$1$1")}"`;
}
