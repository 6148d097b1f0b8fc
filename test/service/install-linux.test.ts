/**
 * The Linux install flow through the real CLI, against a temporary unit folder with
 * `--no-start`: the unit lands with mode 0644 and the right content, passes
 * `systemd-analyze verify`, a dedicated account is created with useradd and given the
 * agent's files, and uninstall removes the unit.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runCli, tempDir } from "../cli/run-cli.ts";

const SYSTEM_USER = `outpost-t${process.pid}`;

function setup() {
  const dir = tempDir("outpost-service-");
  const configDir = join(dir, "etc");
  const binary = join(dir, "bin", "outpost");
  mkdirSync(join(dir, "bin"));
  mkdirSync(configDir);
  writeFileSync(binary, "#!/bin/sh\nexit 0\n");
  chmodSync(binary, 0o755);
  const config = join(configDir, "config.yml");
  writeFileSync(config, [
    "files:", "  shared:", "    base: ./shared", "  docs:", "    base: /srv/docs", "    readonly: true",
    "databases:", "  local:", "    adapter: sqlite", "    path: /var/lib/outpost-test/local.db",
    "logging:", "  file:", `    path: ${join(dir, "logs", "agent.log")}`, "",
  ].join("\n"));
  writeFileSync(join(configDir, "identity.json"), "{}", { mode: 0o600 });
  return { dir, configDir, binary, config, unitDir: join(dir, "units"), unit: join(dir, "units", "outpost.service") };
}

afterAll(() => {
  Bun.spawnSync(["userdel", SYSTEM_USER], { stderr: "ignore" });
});

describe("outpost service on Linux", () => {
  test("install --no-start writes a verified unit; uninstall removes it", async () => {
    const s = setup();
    const installed = await runCli(["service", "install", "--config", "etc/config.yml", "--unit-dir", s.unitDir, "--binary", s.binary, "--no-start"], { cwd: s.dir });
    // The fixture lives under /tmp, which the unit's PrivateTmp=yes hides: that warning only.
    expect(installed.errLines.filter((line) => !line.includes("PrivateTmp=yes"))).toEqual([]);
    expect(installed.code).toBe(0);
    expect(installed.stdout.split("\n")).toEqual([
      `wrote ${s.unit}`,
      "not started (--no-start); to start: systemctl daemon-reload && systemctl enable --now outpost",
      "",
    ]);
    expect(statSync(s.unit).mode & 0o777).toBe(0o644);
    const unit = readFileSync(s.unit, "utf8");
    expect(unit).toContain(`ExecStart=${s.binary} run --config ${s.config}\n`);
    expect(unit).toContain(`WorkingDirectory=${s.configDir}\n`);
    expect(unit).not.toContain("User=");
    // Config folder (covers ./shared), log folder, the binary's folder, the SQLite folder; not the read-only profile.
    const writable = [join(s.dir, "bin"), s.configDir, join(s.dir, "logs"), "/var/lib/outpost-test"].sort().map((p) => `-${p}`);
    expect(unit).toContain(`ReadWritePaths=${writable.join(" ")}\n`);
    const verified = Bun.spawnSync(["systemd-analyze", "verify", s.unit], { stderr: "pipe" });
    expect(verified.stderr.toString().split("\n").filter((line) => line.includes("outpost.service"))).toEqual([]);

    const removed = await runCli(["service", "uninstall", "--unit-dir", s.unitDir], { cwd: s.dir });
    expect(removed.stdout).toBe(`removed ${s.unit}\n`);
    expect(existsSync(s.unit)).toBe(false);
    const again = await runCli(["service", "uninstall", "--unit-dir", s.unitDir], { cwd: s.dir });
    expect(again.code).toBe(1);
    expect(again.errLines).toEqual([`outpost: ${s.unit} does not exist; nothing to uninstall`]);
  });

  test("--user creates a system account with useradd and gives it the agent's files", async () => {
    const s = setup();
    const installed = await runCli(["service", "install", "--config", s.config, "--unit-dir", s.unitDir, "--binary", s.binary, "--no-start", "--user", SYSTEM_USER]);
    // The fixture lives under /tmp, which the unit's PrivateTmp=yes hides: that warning only.
    expect(installed.errLines.filter((line) => !line.includes("PrivateTmp=yes"))).toEqual([]);
    expect(installed.stdout.split("\n")[0]).toBe(`created system user ${SYSTEM_USER}`);
    const uid = Number(Bun.spawnSync(["id", "-u", SYSTEM_USER]).stdout.toString());
    expect(uid).toBeLessThan(1000); // a system account
    expect(readFileSync("/etc/passwd", "utf8")).toContain(`${SYSTEM_USER}:x:${uid}:`);
    for (const path of [s.configDir, join(s.configDir, "identity.json"), s.config, join(s.dir, "logs")]) expect(statSync(path).uid).toBe(uid);
    expect(statSync(join(s.configDir, "identity.json")).mode & 0o777).toBe(0o600);
    expect(readFileSync(s.unit, "utf8")).toContain(`User=${SYSTEM_USER}\n`);

    const twice = await runCli(["service", "install", "--config", s.config, "--unit-dir", s.unitDir, "--binary", s.binary, "--no-start", "--user", SYSTEM_USER]);
    expect(twice.stdout).not.toContain("created system user");
  });

  test("outside a compiled binary, install asks for --binary; a missing config.yml is named", async () => {
    const s = setup();
    const noBinary = await runCli(["service", "install", "--config", s.config, "--unit-dir", s.unitDir, "--no-start"]);
    expect(noBinary.code).toBe(2);
    expect(noBinary.errLines).toEqual(["outpost: not running from a compiled outpost binary; pass --binary PATH of the outpost binary the service should run"]);
    const noConfig = await runCli(["service", "install", "--config", join(s.dir, "nope.yml"), "--unit-dir", s.unitDir, "--binary", s.binary, "--no-start"]);
    expect(noConfig.code).toBe(1);
    expect(noConfig.errLines[0]).toStartWith(`outpost: cannot read ${join(s.dir, "nope.yml")}: ENOENT`);
    expect(existsSync(s.unit)).toBe(false);
  });
});
