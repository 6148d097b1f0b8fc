/**
 * Every service file rendered and checked by the real tools that read it: the systemd unit
 * by `systemd-analyze verify`, the launchd plist and the WinSW config by `xmllint`
 * (well-formed, then the values read back with XPath).
 */
import { describe, expect, test } from "bun:test";
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { renderLaunchdPlist } from "../../src/service/launchd-plist.ts";
import type { ServiceSpec } from "../../src/service/spec.ts";
import { renderSystemdUnit } from "../../src/service/systemd-unit.ts";
import { renderWinswXml, WINSW_RUNTIME_CONFIG } from "../../src/service/winsw-xml.ts";

function spec(dir: string, overrides: Partial<ServiceSpec> = {}): ServiceSpec {
  return {
    name: "outpost",
    binary: join(dir, "bin dir", "outpost"),
    configPath: join(dir, "etc & more", "config.yml"),
    user: "daemon",
    readWritePaths: [join(dir, "etc & more"), join(dir, "logs 100%")],
    logDir: join(dir, "logs 100%"),
    upgradeExitCode: 75,
    stopTimeoutSeconds: 45,
    neededPaths: [],
    ...overrides,
  };
}

function run(argv: string[]) {
  const result = Bun.spawnSync(argv, { stdout: "pipe", stderr: "pipe" });
  return { code: result.exitCode, out: result.stdout.toString(), err: result.stderr.toString() };
}

function xpath(file: string, expression: string): string {
  const result = run(["xmllint", "--xpath", expression, file]);
  if (result.code !== 0) throw new Error(`xmllint --xpath ${expression}: ${result.err}`);
  return result.out.replace(/\n$/, "");
}

describe("systemd unit", () => {
  test("passes systemd-analyze verify and states restart, sandbox and paths", () => {
    const dir = mkdtempSync(join(tmpdir(), "outpost-unit-"));
    const s = spec(dir);
    mkdirSync(join(dir, "bin dir"));
    writeFileSync(s.binary, "#!/bin/sh\n");
    chmodSync(s.binary, 0o755);
    mkdirSync(join(dir, "etc & more"));
    const unitDir = join(dir, "units");
    mkdirSync(unitDir);
    const unitPath = join(unitDir, "outpost.service");
    const unit = renderSystemdUnit(s);
    writeFileSync(unitPath, unit);
    const verified = run(["systemd-analyze", "verify", unitPath]);
    expect(verified.err.split("\n").filter((line) => line.includes("outpost.service"))).toEqual([]);
    expect(verified.code).toBe(0);
    for (const line of ["Restart=always", "RestartSec=2", "RestartForceExitStatus=75", "NoNewPrivileges=yes", "ProtectSystem=strict",
      "ProtectHome=read-only", "PrivateTmp=yes", "User=daemon", "TimeoutStopSec=45", "WantedBy=multi-user.target"]) {
      expect(unit.split("\n")).toContain(line);
    }
    expect(unit).toContain(`ExecStart="${dir}/bin dir/outpost" run --config "${dir}/etc & more/config.yml"`);
    expect(unit).toContain(`ReadWritePaths=-"${dir}/etc & more" -"${dir}/logs 100%%"`);
  });

  test("root needs no User= line; plain paths stay unquoted", () => {
    const unit = renderSystemdUnit(spec("/opt", { user: undefined, binary: "/usr/local/bin/outpost", configPath: "/etc/outpost/config.yml", readWritePaths: ["/etc/outpost"] }));
    expect(unit).not.toContain("User=");
    expect(unit).toContain("ExecStart=/usr/local/bin/outpost run --config /etc/outpost/config.yml\n");
    expect(unit).toContain("ReadWritePaths=-/etc/outpost\n");
  });
});

describe("launchd plist", () => {
  test("is well-formed XML with RunAtLoad, KeepAlive, the arguments and log paths", () => {
    const dir = mkdtempSync(join(tmpdir(), "outpost-plist-"));
    const s = spec(dir, { binary: "/usr/local/bin/outpost", configPath: "/etc/outpost <a&b>/config.yml", logDir: "/Library/Logs/Outpost" });
    const file = join(dir, "com.outpost.agent.plist");
    writeFileSync(file, renderLaunchdPlist(s));
    expect(run(["xmllint", "--noout", file]).code).toBe(0);
    const after = (key: string) => `//dict/key[.='${key}']/following-sibling::*[1]`;
    expect(xpath(file, `string(${after("Label")})`)).toBe("com.outpost.agent");
    expect(xpath(file, `name(${after("RunAtLoad")})`)).toBe("true");
    expect(xpath(file, `name(${after("KeepAlive")})`)).toBe("true");
    expect(xpath(file, `string(${after("UserName")})`)).toBe("daemon");
    expect(xpath(file, `string(${after("StandardErrorPath")})`)).toBe("/Library/Logs/Outpost/outpost.err.log");
    const args = [1, 2, 3, 4].map((i) => xpath(file, `string(${after("ProgramArguments")}/string[${i}])`));
    expect(args).toEqual(["/usr/local/bin/outpost", "run", "--config", "/etc/outpost <a&b>/config.yml"]);
  });
});

describe("WinSW config", () => {
  test("is well-formed XML naming outpost.exe, its arguments and restart on failure", () => {
    const dir = mkdtempSync(join(tmpdir(), "outpost-winsw-"));
    const s = spec(dir, {
      binary: "C:\\Program Files\\Outpost\\outpost.exe",
      configPath: "C:\\ProgramData\\Outpost & Co\\config.yml",
      logDir: "C:\\ProgramData\\Outpost & Co\\logs",
      user: undefined,
    });
    const file = join(dir, "outpost-service.xml");
    writeFileSync(file, renderWinswXml(s));
    writeFileSync(join(dir, "outpost-service.exe.config"), WINSW_RUNTIME_CONFIG);
    expect(run(["xmllint", "--noout", file, join(dir, "outpost-service.exe.config")]).code).toBe(0);
    expect(xpath(file, "string(/service/id)")).toBe("outpost");
    expect(xpath(file, "string(/service/executable)")).toBe("C:\\Program Files\\Outpost\\outpost.exe");
    expect(xpath(file, "string(/service/arguments)")).toBe('run --config "C:\\ProgramData\\Outpost & Co\\config.yml"');
    expect(xpath(file, "string(/service/workingdirectory)")).toBe("C:\\ProgramData\\Outpost & Co");
    expect(xpath(file, "string(/service/onfailure/@action)")).toBe("restart");
    expect(xpath(file, "string(/service/onfailure/@delay)")).toBe("2 sec");
    expect(xpath(file, "string(/service/startmode)")).toBe("Automatic");
  });
});
