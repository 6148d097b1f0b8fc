/**
 * @module
 * Loading only some sections of config.yml (`loadConfigSections`), and the two commands
 * that do: `outpost upgrade` and `outpost activate` need `proxy:` and `gateway:`, and an
 * `${env:X}` that only the service's environment sets (a database password, seen under
 * `sudo`) must not stop them with a config error (exit 2).
 */
import { expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError } from "../../src/config/errors.ts";
import { loadConfig, loadConfigSections } from "../../src/config/load.ts";
import { runCli } from "../cli/run-cli.ts";

const CONFIG = `
gateway:
  url: wss://127.0.0.1:9
proxy:
  url: \${env:TEST_PROXY_URL}
  no_proxy: ["*"]
databases:
  sales:
    adapter: postgresql
    host: db.internal
    password: \${env:ONLY_IN_THE_SERVICE}
`;

function write(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), "outpost-sections-"));
  writeFileSync(join(dir, "config.yml"), text);
  return join(dir, "config.yml");
}

test("the named sections are resolved; an unset variable elsewhere is not read", async () => {
  const path = write(CONFIG);
  const env = { TEST_PROXY_URL: "http://proxy.internal:3128" };
  await expect(loadConfig(path, { env })).rejects.toBeInstanceOf(ConfigError);
  const { config } = await loadConfigSections(path, ["proxy", "gateway"], { env });
  expect(config.proxy?.url).toBe("http://proxy.internal:3128");
  expect(config.gateway?.url).toBe("wss://127.0.0.1:9");
  expect(config.databases).toBeUndefined();
});

test("a problem inside a named section is still an error", async () => {
  const path = write(CONFIG);
  const error = await loadConfigSections(path, ["proxy"], { env: {} }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ConfigError);
  expect((error as ConfigError).issues.map((i) => i.path)).toEqual(["proxy.url"]);
});

test("outpost upgrade gets past config.yml with an unrelated unset variable", async () => {
  const path = write(CONFIG);
  const result = await runCli(["upgrade", "--check", "--config", path, "--base-url", "https://127.0.0.1:9"], { env: { TEST_PROXY_URL: "http://127.0.0.1:9" } });
  expect(result.stderr).not.toContain("ONLY_IN_THE_SERVICE");
  expect(result.stderr).toContain("cannot fetch https://127.0.0.1:9/latest.json");
  expect(result.code).toBe(1);
});

test("outpost activate gets past config.yml with an unrelated unset variable", async () => {
  const path = write(CONFIG);
  const result = await runCli(["activate", "CODE", "--gateway", "wss://127.0.0.1:9", "--config", path, "--identity", join(path, "../id.json")], { env: { TEST_PROXY_URL: "http://127.0.0.1:9" } });
  expect(result.stderr).not.toContain("ONLY_IN_THE_SERVICE");
  expect(result.code).toBe(1);
});
