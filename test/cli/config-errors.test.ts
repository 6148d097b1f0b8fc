/**
 * Every config failure a person can cause gets one clear `outpost:` line with its
 * position and a non-zero exit, checked against the real CLI.
 */
import { describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runCli, tempDir } from "./run-cli.ts";

async function validate(yaml: string, setup?: (dir: string) => void, env?: Record<string, string>) {
  const dir = tempDir();
  writeFileSync(join(dir, "config.yml"), yaml);
  setup?.(dir);
  return runCli(["config", "validate"], { cwd: dir, env });
}

function expectOneLine(result: { code: number; errLines: string[] }, pattern: RegExp) {
  expect(result.errLines).toHaveLength(1);
  expect(result.errLines[0]!).toStartWith("outpost: ");
  expect(result.errLines[0]!).toMatch(pattern);
  expect(result.code).toBe(2);
  expect(result.errLines[0]!).not.toContain("    at "); // no stack trace without --debug
}

describe("config validate failures", () => {
  test("missing config file", async () => {
    const result = await runCli(["config", "validate", "--config", "nope.yml"]);
    expectOneLine(result, /^outpost: nope\.yml: config file not found/);
  });

  test("YAML syntax error names line and column", async () => {
    expectOneLine(await validate("databases:\n  local: {adapter: sqlite\n"), /config\.yml:\d+:\d+: /);
    expectOneLine(await validate("a: 1\n\tb: 2\n"), /config\.yml:2:1: Tabs are not allowed/);
  });

  test("unknown adapter", async () => {
    const result = await validate("databases:\n  sales:\n    adapter: oracle\n    host: db\n");
    expectOneLine(result, /^outpost: config\.yml:3:14 databases\.sales\.adapter: must be one of postgresql, mysql, sqlserver, sqlite$/);
  });

  test("duplicate profile name across kinds", async () => {
    const result = await validate("databases:\n  docs:\n    adapter: sqlite\n    path: a.db\nfiles:\n  docs:\n    base: /srv\n");
    expectOneLine(result, /config\.yml:6:3 files\.docs: profile name "docs" is already used by databases\.docs/);
  });

  test("duplicate YAML key", async () => {
    const result = await validate("files:\n  docs:\n    base: /srv\n    base: /tmp\n");
    expectOneLine(result, /config\.yml:4:5 files\.docs\.base: duplicate key "base"/);
  });

  test("bad profile name", async () => {
    const result = await validate("files:\n  my docs:\n    base: /srv\n");
    expectOneLine(result, /config\.yml:2:3 files\.my docs: bad name: use only letters, digits, _ and -/);
  });

  test("missing required key", async () => {
    const result = await validate("http:\n  app:\n    timeout: 5\n");
    expectOneLine(result, /config\.yml:2:3 http\.app\.base_url: is required/);
  });

  test("${env:X} unset names the key and the variable", async () => {
    const result = await validate("files:\n  docs:\n    base: ${env:OUTPOST_TEST_UNSET_VAR}\n");
    expectOneLine(result, /config\.yml:3:11 files\.docs\.base: environment variable OUTPOST_TEST_UNSET_VAR is not set/);
  });

  test("several problems: one line each, all reported", async () => {
    const result = await validate("http:\n  app:\n    timeout: x\nfiles:\n  d:\n    base: 3\n");
    expect(result.code).toBe(2);
    expect(result.errLines).toEqual([
      "outpost: config.yml:2:3 http.app.base_url: is required",
      "outpost: config.yml:3:14 http.app.timeout: must be a number",
      "outpost: config.yml:6:11 files.d.base: must be a string",
    ]);
  });

  test("unknown key is a warning and exits 0", async () => {
    const result = await validate("files:\n  docs:\n    base: /srv\n    colour: blue\n");
    expect(result.code).toBe(0);
    expect(result.errLines).toEqual(["outpost: warning: config.yml:4:5 files.docs.colour: unknown key (ignored)"]);
    expect(result.stdout).toContain("config.yml is valid (1 warning(s)); files: docs");
  });

  test("unreadable key file (a directory at the key path: tests run as root, so chmod 000 would not stop us)", async () => {
    const yaml = "files:\n  docs:\n    base: {encrypted: 'ov1:AAAA'}\n";
    const result = await validate(yaml, (dir) => mkdirSync(join(dir, "secret.key")));
    expectOneLine(result, /config\.yml:3:11 files\.docs\.base: cannot decrypt: cannot read secret key file .*secret\.key: EISDIR/);
  });

  test("--debug adds the stack trace", async () => {
    const result = await runCli(["config", "validate", "--config", "nope.yml", "--debug"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("    at ");
  });
});

describe("usage errors", () => {
  test("unknown command exits 2 with one line", async () => {
    const result = await runCli(["frobnicate"]);
    expect(result.code).toBe(2);
    expect(result.errLines).toEqual(["outpost: Unknown argument: frobnicate (see `outpost --help`)"]);
  });
});
