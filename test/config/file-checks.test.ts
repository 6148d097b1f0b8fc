/**
 * `loadConfig(..., { checkFiles: true })` (what `config validate` runs): every file
 * config.yml names must exist, and a missing one is an error at its key's position, like
 * every other config error. The identity is only a warning: activation comes later.
 */
import { describe, expect, test } from "bun:test";
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, formatIssue } from "../../src/config/errors.ts";
import { loadConfig } from "../../src/config/load.ts";

function configIn(yaml: string, setup?: (dir: string) => void): string {
  const dir = mkdtempSync(join(tmpdir(), "outpost-files-"));
  setup?.(dir);
  writeFileSync(join(dir, "config.yml"), yaml);
  return join(dir, "config.yml");
}

async function errorsOf(path: string): Promise<string[]> {
  try {
    await loadConfig(path, { checkFiles: true });
  } catch (error) {
    if (error instanceof ConfigError) return error.errors.map((issue) => formatIssue({ ...issue, file: "config.yml" }));
    throw error;
  }
  return [];
}

describe("file checks", () => {
  test("each missing file is an error naming file:line:column of its key", async () => {
    const path = configIn(
      [
        "gateway:",
        "  url: wss://gw:8443",
        "  ca: ./ca.pem",
        "files:",
        "  docs:",
        "    base: ./docs",
        "http:",
        "  app:",
        "    base_url: https://app.internal",
        "    tls: { ca: /nonexistent/app-ca.pem }",
        "scripts:",
        "  ops:",
        "    commands:",
        "      backup: { argv: [no-such-program-outpost, x] }",
        "      local: { argv: [./bin/tool.sh], cwd: ./work }",
        "extensions:",
        "  hello: { module: ./ext.ts }",
        "databases:",
        "  local: { adapter: sqlite, path: ./data/app.db }",
        "  pg: { adapter: postgresql, host: db, ssl: { mode: verify-full, ca: ./pg-ca.pem } }",
      ].join("\n"),
    );
    const errors = await errorsOf(path);
    expect(errors).toEqual([
      expect.stringMatching(/^config\.yml:3:7 gateway\.ca: .*\/ca\.pem does not exist$/),
      expect.stringMatching(/^config\.yml:6:11 files\.docs\.base: .*\/docs does not exist$/),
      expect.stringMatching(/^config\.yml:10:16 http\.app\.tls\.ca: \/nonexistent\/app-ca\.pem does not exist$/),
      expect.stringMatching(/^config\.yml:14:24 scripts\.ops\.commands\.backup\.argv\[0\]: program "no-such-program-outpost" is not on PATH$/),
      expect.stringMatching(/^config\.yml:15:23 scripts\.ops\.commands\.local\.argv\[0\]: .*\/bin\/tool\.sh does not exist$/),
      expect.stringMatching(/^config\.yml:15:44 scripts\.ops\.commands\.local\.cwd: .*\/work does not exist$/),
      expect.stringMatching(/^config\.yml:17:20 extensions\.hello\.module: .*\/ext\.ts does not exist$/),
      expect.stringMatching(/^config\.yml:19:35 databases\.local\.path: folder .*\/data \(for .*\/data\/app\.db\) does not exist$/),
      expect.stringMatching(/^config\.yml:20:70 databases\.pg\.ssl\.ca: .*\/pg-ca\.pem does not exist$/),
    ]);
  });

  test("files that are there pass; a missing identity is a warning at the gateway section", async () => {
    const path = configIn("gateway:\n  url: wss://gw:8443\n  ca: ca.pem\nfiles:\n  docs:\n    base: docs\nscripts:\n  ops:\n    commands:\n      hi: { argv: [sh, -c, 'echo hi'] }\n", (dir) => {
      writeFileSync(join(dir, "ca.pem"), "-----BEGIN CERTIFICATE-----\n");
      mkdirSync(join(dir, "docs"));
    });
    const loaded = await loadConfig(path, { checkFiles: true });
    expect(loaded.warnings.map((w) => `${w.line}:${w.column} ${w.path}: ${w.message}`)).toEqual([
      expect.stringMatching(/^2:3 gateway: not activated yet: .*identity\.json does not exist \(run `outpost activate CODE --gateway URL`\)$/),
    ]);
  });

  test("a folder where a file belongs, and a program that cannot run, are named", async () => {
    const path = configIn("gateway:\n  url: wss://gw:8443\n  ca: certs\nscripts:\n  ops:\n    commands:\n      run: { argv: [./tool.sh] }\n", (dir) => {
      mkdirSync(join(dir, "certs"));
      writeFileSync(join(dir, "tool.sh"), "#!/bin/sh\n");
      chmodSync(join(dir, "tool.sh"), 0o644);
    });
    const errors = await errorsOf(path);
    expect(errors[0]).toMatch(/^config\.yml:3:7 gateway\.ca: .*\/certs is a folder$/);
    expect(errors[1]).toMatch(/^config\.yml:7:21 scripts\.ops\.commands\.run\.argv\[0\]: .*\/tool\.sh is not executable$/);
  });

  test("the agent's own load does not check files (a missing base fails only that profile)", async () => {
    const path = configIn("files:\n  docs:\n    base: ./missing\n");
    await expect(loadConfig(path)).resolves.toBeDefined();
  });
});
