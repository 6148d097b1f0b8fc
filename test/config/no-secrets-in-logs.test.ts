/**
 * A known secret goes through every value source while everything logs at trace level
 * to a file and to memory; the secret must appear in no line. The redaction safety net is
 * checked too, for code that would pass a secret by mistake.
 */
import { expect, test } from "bun:test";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError } from "../../src/config/errors.ts";
import { loadConfig } from "../../src/config/load.ts";
import { encryptValue } from "../../src/crypto/secretbox.ts";
import { createLoggerFromConfig } from "../../src/log/from-config.ts";

const SECRET = "Very-Secret-Value-7731";
const COMPONENTS = ["agent", "tunnel", "gateway", "sql", "files", "http", "scripts", "config", "outpost"];

test("loading a config with secrets at trace level logs no secret", async () => {
  const dir = mkdtempSync(join(tmpdir(), "outpost-nosecret-"));
  const key = new Uint8Array(32).fill(11);
  writeFileSync(join(dir, "pw.txt"), `${SECRET}\n`);
  const config = [
    "databases:",
    "  a:",
    "    adapter: postgresql",
    "    host: db",
    `    password: {encrypted: '${await encryptValue(SECRET, key)}'}`,
    "    unknown_thing: x",
    "  b:",
    "    adapter: mysql",
    "    host: db",
    "    password: ${env:DB_B_PASSWORD}",
    "  c:",
    "    adapter: sqlserver",
    "    host: db",
    "    password: ${file:pw.txt}",
  ].join("\n");
  writeFileSync(join(dir, "config.yml"), config);

  const memory: string[] = [];
  const logging = {
    level: "trace" as const,
    components: Object.fromEntries(COMPONENTS.map((c) => [c, "trace" as const])),
    format: "json" as const,
    file: { path: "logs/outpost.log" },
  };
  const { logger, close } = createLoggerFromConfig(logging, { baseDir: dir, stderr: false, sinks: [{ write: (line) => memory.push(line) }] });
  const log = logger.child("config");
  const loaded = await loadConfig(join(dir, "config.yml"), { env: { DB_B_PASSWORD: SECRET }, keyProvider: async () => key, logger: log });
  // The values really were resolved...
  expect([loaded.config.databases?.a?.password, loaded.config.databases?.b?.password, loaded.config.databases?.c?.password]).toEqual([SECRET, SECRET, SECRET]);
  // ...and what a caller typically logs after a load carries no secret either.
  log.info("config ready", { warnings: loaded.warnings, hashes: loaded.hashes });

  // A failing load (a wrong key) logs and throws without the secret.
  const failure = await loadConfig(join(dir, "config.yml"), { env: { DB_B_PASSWORD: SECRET }, keyProvider: async () => new Uint8Array(32), logger: log }).catch((e: unknown) => e);
  expect(failure).toBeInstanceOf(ConfigError);
  log.error("config rejected", { error: failure });

  // Safety net: a secret passed by mistake under a secret-looking name is replaced.
  for (const c of COMPONENTS) logger.child(c).trace("oops", { password: SECRET, nested: { api_key: SECRET, token: SECRET } });
  close();

  const fileLines = readFileSync(join(dir, "logs/outpost.log"), "utf8").trim().split("\n");
  expect(fileLines.length).toBeGreaterThan(COMPONENTS.length + 3); // load really logged at trace/debug
  expect(fileLines.some((l) => l.includes("config value from source"))).toBe(true);
  expect(fileLines.some((l) => l.includes("[redacted]"))).toBe(true);
  for (const line of [...memory, ...fileLines]) expect(line).not.toContain(SECRET);
  expect((failure as Error).message).not.toContain(SECRET);
});
