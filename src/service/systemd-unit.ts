/**
 * @module
 * The systemd unit for the agent. Restarts always (2 s apart, never giving up), including
 * after `outpost upgrade` exits with its distinct code; sandboxed with the filesystem
 * read-only except the folders the agent writes to.
 */
import type { ServiceSpec } from "./spec.ts";

/** Where units go on every systemd distribution for locally installed services. */
export const SYSTEMD_UNIT_DIR = "/etc/systemd/system";

export function renderSystemdUnit(spec: ServiceSpec): string {
  const account = spec.user && spec.user !== "root" ? [`User=${spec.user}`, `Group=${spec.user}`] : [];
  return [
    "# Written by `outpost service install`; `outpost service uninstall` removes it.",
    "[Unit]",
    `Description=Outpost agent (${escapeValue(spec.configPath)})`,
    "Wants=network-online.target",
    "After=network-online.target",
    // An agent must keep trying however often it fails: never hit the start rate limit.
    "StartLimitIntervalSec=0",
    "",
    "[Service]",
    "Type=simple",
    `ExecStart=${[spec.binary, "run", "--config", spec.configPath].map(quoteArgument).join(" ")}`,
    // WorkingDirectory takes the rest of the line as the path: no quoting.
    `WorkingDirectory=${escapeValue(dirnameOf(spec.configPath))}`,
    ...account,
    "Restart=always",
    "RestartSec=2",
    "# `outpost upgrade` exits with this code after replacing the binary: start the new one.",
    `RestartForceExitStatus=${spec.upgradeExitCode}`,
    "# SIGTERM lets requests in flight finish within agent.shutdown_grace.",
    "KillSignal=SIGTERM",
    `TimeoutStopSec=${spec.stopTimeoutSeconds}`,
    "NoNewPrivileges=yes",
    "ProtectSystem=strict",
    "ProtectHome=read-only",
    "PrivateTmp=yes",
    "PrivateDevices=yes",
    "ProtectKernelTunables=yes",
    "ProtectKernelModules=yes",
    "ProtectControlGroups=yes",
    "RestrictSUIDSGID=yes",
    "LockPersonality=yes",
    "# The agent writes only here (a leading - tolerates a folder that does not exist yet).",
    `ReadWritePaths=${spec.readWritePaths.map((path) => `-${quotePath(path)}`).join(" ")}`,
    "",
    "[Install]",
    "WantedBy=multi-user.target",
    "",
  ].join("\n");
}

function dirnameOf(path: string): string {
  return path.slice(0, path.lastIndexOf("/")) || "/";
}

/** systemd expands `%` specifiers everywhere, and `$` variables in ExecStart. */
function escapeValue(value: string): string {
  return value.replace(/%/g, "%%");
}

function quoteArgument(value: string): string {
  const escaped = escapeValue(value).replace(/\$/g, "$$$$");
  return /[\s"'\\;]/.test(value) ? `"${escaped.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"` : escaped;
}

function quotePath(value: string): string {
  const escaped = escapeValue(value);
  return /[\s"'\\]/.test(value) ? `"${escaped.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"` : escaped;
}
