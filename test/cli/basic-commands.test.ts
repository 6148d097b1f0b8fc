import { describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { STARTER_CONFIG } from "../../src/config/starter.ts";
import { VERSION } from "../../src/cli/version.ts";
import { runCli, tempDir } from "./run-cli.ts";

describe("outpost version / --version", () => {
  test("--version prints the version alone", async () => {
    const result = await runCli(["--version"]);
    expect(result).toMatchObject({ code: 0, stdout: `${VERSION}\n`, stderr: "" });
  });

  test("version prints ours, bun's and the platform", async () => {
    const result = await runCli(["version"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`outpost ${VERSION}\nbun ${Bun.version}\n${process.platform}/${process.arch}\n`);
  });

  test("--help works on every command", async () => {
    for (const args of [["--help"], ["config", "--help"], ["config", "init", "--help"], ["config", "validate", "--help"], ["encrypt", "--help"], ["version", "--help"]]) {
      const result = await runCli(args);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain("--config");
    }
  });
});

describe("outpost config init", () => {
  test("writes the starter, which validates; refuses to overwrite without --force", async () => {
    const dir = tempDir();
    const first = await runCli(["config", "init"], { cwd: dir });
    expect(first.code).toBe(0);
    expect(readFileSync(join(dir, "config.yml"), "utf8")).toBe(STARTER_CONFIG);
    // validate checks that the files a config names exist: init made the starter's examples.
    const fresh = await runCli(["config", "validate"], { cwd: dir });
    expect(fresh.code).toBe(0);
    expect(fresh.errLines).toEqual([expect.stringMatching(/^outpost: warning: .* gateway: not activated yet/)]);
    rmSync(join(dir, "shared"), { recursive: true });
    const missing = await runCli(["config", "validate"], { cwd: dir });
    expect(missing.code).toBe(2);
    expect(missing.errLines).toContainEqual(expect.stringMatching(/config\.yml:\d+:\d+ files\.shared\.base: .*shared does not exist$/));
    mkdirSync(join(dir, "shared"));

    writeFileSync(join(dir, "config.yml"), "# mine\n");
    const refused = await runCli(["config", "init"], { cwd: dir });
    expect(refused.code).toBe(2);
    expect(refused.errLines).toEqual([`outpost: ${join(dir, "config.yml")} already exists; use --force to replace it`]);
    expect(readFileSync(join(dir, "config.yml"), "utf8")).toBe("# mine\n");

    const forced = await runCli(["config", "init", "--force"], { cwd: dir });
    expect(forced.code).toBe(0);
    expect(readFileSync(join(dir, "config.yml"), "utf8")).toBe(STARTER_CONFIG);
  });

  test("--path and OUTPOST_CONFIG choose the file", async () => {
    const dir = tempDir();
    expect((await runCli(["config", "init", "--path", "etc/a.yml"], { cwd: dir })).code).toBe(0);
    expect(readFileSync(join(dir, "etc/a.yml"), "utf8")).toBe(STARTER_CONFIG);
    const viaEnv = await runCli(["config", "validate"], { cwd: dir, env: { OUTPOST_CONFIG: "etc/a.yml" } });
    expect(viaEnv.code).toBe(0);
    expect(viaEnv.stdout).toStartWith("etc/a.yml is valid");
  });
});

describe("outpost activate", () => {
  test("a gateway URL that is not wss:// is one usage line naming --gateway, before anything is contacted", async () => {
    const result = await runCli(["activate", "opa_x", "--gateway", "ftp://gw:1"], { cwd: tempDir() });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe("outpost: --gateway: gateway URL must start with wss:// (got ftp:)\n");
  });
});
