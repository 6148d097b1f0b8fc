/**
 * @module
 * `outpost service install` says when the systemd unit's sandbox would hide a path the
 * agent needs (PrivateTmp, PrivateDevices) or make one it writes read-only
 * (ProtectSystem=strict), and `--dry-run` prints the unit and the commands without
 * writing or running anything.
 */
import { expect, test } from "bun:test";
import { chmodSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { systemdSandboxWarnings } from "../../src/service/sandbox.ts";
import { neededPaths } from "../../src/service/spec.ts";
import { runCli, tempDir } from "../cli/run-cli.ts";

test("a config under /tmp, a database under /dev/shm and an unlisted writable folder are each named", () => {
  const needed = neededPaths(
    { gateway: { url: "wss://gw", ca: "ca.pem" }, files: { out: { base: "/srv/out" }, docs: { base: "/srv/docs", readonly: true } }, databases: { shm: { adapter: "sqlite", path: "/dev/shm/x.db" } } },
    "/tmp/agent/config.yml",
    "/var/log/outpost",
  );
  const warnings = systemdSandboxWarnings(needed, ["/tmp/agent", "/var/log/outpost", "/dev/shm"]);
  expect(warnings).toEqual([
    "the config file is /tmp/agent/config.yml, but the unit's PrivateTmp=yes gives the service its own empty /tmp, so it will not see it; move it (e.g. under /etc/outpost or /var/lib/outpost)",
    "gateway.identity is /tmp/agent/identity.json, but the unit's PrivateTmp=yes gives the service its own empty /tmp, so it will not see it; move it (e.g. under /etc/outpost or /var/lib/outpost)",
    "gateway.ca is /tmp/agent/ca.pem, but the unit's PrivateTmp=yes gives the service its own empty /tmp, so it will not see it; move it (e.g. under /etc/outpost or /var/lib/outpost)",
    "files.out.base is /srv/out, which the unit makes read-only (ProtectSystem=strict, ProtectHome=read-only); pass --read-write /srv/out if the agent writes there",
    "databases.shm.path is /dev/shm/x.db, but the unit's PrivateDevices=yes gives the service its own minimal /dev, so it will not see it; move it (e.g. under /etc/outpost or /var/lib/outpost)",
  ]);
});

test("paths the unit shows and lets it write give no warning; ${env:} values are skipped", () => {
  const needed = neededPaths({ files: { out: { base: "/srv/out" } }, gateway: { url: "wss://gw", ca: "${env:CA}" } }, "/etc/outpost/config.yml", "/var/log/outpost");
  expect(systemdSandboxWarnings(needed, ["/etc/outpost", "/var/log/outpost", "/srv/out"])).toEqual([]);
});

test("install --dry-run prints the unit and the commands, warns about /tmp, and writes nothing", async () => {
  const dir = tempDir("outpost-dry-");
  mkdirSync(join(dir, "bin"));
  const binary = join(dir, "bin", "outpost");
  writeFileSync(binary, "#!/bin/sh\nexit 0\n");
  chmodSync(binary, 0o755);
  const config = join(dir, "config.yml");
  writeFileSync(config, "files:\n  shared:\n    base: ./shared\n");
  const unitDir = join(dir, "units");
  const result = await runCli(["service", "install", "--dry-run", "--config", config, "--unit-dir", unitDir, "--binary", binary]);
  expect(result.code).toBe(0);
  expect(result.stdout).toStartWith(`# would write ${join(unitDir, "outpost.service")}\n`);
  expect(result.stdout).toContain(`ExecStart=${binary} run --config ${config}\n`);
  expect(result.stdout).toContain("# would run:\nsystemctl daemon-reload\nsystemctl enable --now outpost\n");
  expect(result.errLines[0]).toBe(`outpost: warning: the config file is ${config}, but the unit's PrivateTmp=yes gives the service its own empty /tmp, so it will not see it; move it (e.g. under /etc/outpost or /var/lib/outpost)`);
  expect(existsSync(unitDir)).toBe(false);
});
