import { describe, expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError } from "../../src/config/errors.ts";
import { loadConfig } from "../../src/config/load.ts";
import { STARTER_CONFIG } from "../../src/config/starter.ts";
import { encryptValue } from "../../src/crypto/secretbox.ts";

function write(text: string, name = "config.yml") {
  const dir = mkdtempSync(join(tmpdir(), "outpost-cfg-"));
  writeFileSync(join(dir, name), text);
  return { dir, path: join(dir, name) };
}

async function issuesOf(text: string, env: Record<string, string> = {}) {
  const error = await loadConfig(write(text).path, { env }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ConfigError);
  return (error as ConfigError).issues.map((i) => `${i.line}:${i.column} ${i.severity} ${i.path}: ${i.message}`);
}

describe("loadConfig", () => {
  test("the starter config passes with no warnings", async () => {
    const loaded = await loadConfig(write(STARTER_CONFIG).path, { env: {} });
    expect(loaded.warnings).toEqual([]);
    expect(loaded.config.databases?.local?.adapter).toBe("sqlite");
    expect(loaded.config.databases?.sales?.adapter).toBe("postgresql");
    expect(Object.keys(loaded.hashes).sort()).toEqual(["intranet", "local", "ops", "sales", "shared"]);
  });

  test("${env:} and ${file:} (relative to config.yml, trailing newline trimmed), several in one string", async () => {
    const { dir, path } = write("http:\n  app:\n    base_url: http://${env:HOST}:${env:PORT}/\n    headers:\n      X-Token: ${file:token.txt}\n");
    writeFileSync(join(dir, "token.txt"), "abc\n");
    const loaded = await loadConfig(path, { env: { HOST: "intranet", PORT: "8080" } });
    expect(loaded.config.http?.app).toEqual({ base_url: "http://intranet:8080/", headers: { "X-Token": "abc" } });
  });

  test("unreadable ${file:} names the file and the key", async () => {
    expect(await issuesOf("files:\n  d:\n    base: ${file:/nonexistent/x}\n")).toEqual([
      "3:11 error files.d.base: cannot read /nonexistent/x (${file:/nonexistent/x}): ENOENT",
    ]);
  });

  test("collects every problem, sorted by position; unknown keys are warnings and are dropped", async () => {
    const text = [
      "gateway:",
      "  url: https://wrong",
      "databases:",
      "  a:",
      "    adapter: mysql",
      "    port: 99999",
      "    extra: 1",
      "scripts:",
      "  s:",
      "    commands:",
      "      go:",
      "        argv: []",
      "        params:",
      "          p: {type: enum}",
      "logging:",
      "  level: loud",
    ].join("\n");
    expect(await issuesOf(text)).toEqual([
      "2:8 error gateway.url: must match ^wss?://",
      "4:3 error databases.a.host: is required",
      "6:11 error databases.a.port: must be <= 65535",
      "7:5 warning databases.a.extra: unknown key (ignored)",
      "12:15 error scripts.s.commands.go.argv: must not be empty",
      "14:11 error scripts.s.commands.go.params.p.values: is required",
      "16:10 error logging.level: must be one of trace, debug, info, warn, error",
    ]);
    const ok = await loadConfig(write("files:\n  d:\n    base: /srv\n    extra: 1\n").path, { env: {} });
    expect(ok.config.files?.d).toEqual({ base: "/srv" });
    expect(ok.warnings).toHaveLength(1);
  });

  test("hashes: same raw text → same hash, key order irrelevant, ciphertext not plaintext", async () => {
    const a = await loadConfig(write("files:\n  d:\n    base: /srv\n    readonly: true\n").path, { env: {} });
    const b = await loadConfig(write("files:\n  d:\n    readonly: true\n    base: /srv\n").path, { env: {} });
    const c = await loadConfig(write("files:\n  d:\n    readonly: false\n    base: /srv\n").path, { env: {} });
    expect(a.hashes.d).toBe(b.hashes.d!);
    expect(a.hashes.d).not.toBe(c.hashes.d!);
    // Two files with the same ciphertext hash alike whatever key decrypts them.
    const key = new Uint8Array(32).fill(5);
    const value = await encryptValue("pw", key);
    const text = `databases:\n  s:\n    adapter: mysql\n    host: h\n    password: {encrypted: '${value}'}\n`;
    const one = await loadConfig(write(text).path, { keyProvider: async () => key });
    const two = await loadConfig(write(text).path, { keyProvider: async () => key });
    expect(one.hashes.s).toBe(two.hashes.s!);
    expect(one.config.databases?.s?.password).toBe("pw");
  });

  test("a key is asked for only when an encrypted value exists", async () => {
    let asked = 0;
    await loadConfig(write("files:\n  d:\n    base: /srv\n").path, { keyProvider: async () => (asked++, new Uint8Array(32)) });
    expect(asked).toBe(0);
  });

  test("an encrypted map with other keys is an error", async () => {
    expect(await issuesOf("files:\n  d:\n    base: {encrypted: 'ov1:x', other: 1}\n")).toEqual([
      "3:11 error files.d.base: an encrypted value is {encrypted: 'ov1:...'} with a string and no other key",
    ]);
  });

  test("a file that is not a mapping", async () => {
    expect(await issuesOf("- a\n- b\n")).toEqual(["1:1 error : the file must be a mapping of keys (gateway:, databases:, ...)"]);
  });
});
