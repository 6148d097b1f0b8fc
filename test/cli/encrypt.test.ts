/**
 * `outpost encrypt --stdin` then `outpost config validate` with the same key: through the
 * key file created on first use, and through OUTPOST_SECRET_KEY. A wrong key and a
 * tampered value each fail with one line that names the value's position.
 */
import { describe, expect, test } from "bun:test";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "../../src/config/load.ts";
import { runCli, tempDir } from "./run-cli.ts";

const SECRET = "s3cr3t-Pa55word!";

function configWith(value: string) {
  return `databases:\n  sales:\n    adapter: postgresql\n    host: db.internal\n    password: ${value}\n`;
}

async function encrypt(dir: string, env?: Record<string, string>) {
  const result = await runCli(["encrypt", "--stdin"], { cwd: dir, stdin: `${SECRET}\n`, env });
  expect(result.code).toBe(0);
  expect(result.stdout).toMatch(/^\{encrypted: 'ov1:[A-Za-z0-9+/=]+'\}\n$/);
  expect(result.stdout + result.stderr).not.toContain(SECRET);
  return { value: result.stdout.trim(), stderr: result.stderr };
}

describe("encrypt round trip", () => {
  test("creates secret.key beside config.yml (0600) and validate/load decrypt with it", async () => {
    const dir = tempDir();
    const { value, stderr } = await encrypt(dir);
    expect(stderr).toContain(`created secret key file ${join(dir, "secret.key")}`);
    expect(statSync(join(dir, "secret.key")).mode & 0o777).toBe(0o600);
    writeFileSync(join(dir, "config.yml"), configWith(value));

    const result = await runCli(["config", "validate"], { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("config.yml is valid; databases: sales\n");

    const loaded = await loadConfig(join(dir, "config.yml"), { env: {} });
    expect(loaded.config.databases?.sales?.password).toBe(SECRET);
    // The drift hash covers the ciphertext, never the plaintext.
    expect(Object.keys(loaded.hashes)).toEqual(["sales"]);

    // A second encrypt reuses the same key file.
    const again = await encrypt(dir);
    expect(again.stderr).toContain(`using the secret key from ${join(dir, "secret.key")}`);
  });

  test("OUTPOST_SECRET_KEY instead of a key file", async () => {
    const dir = tempDir();
    const key = Buffer.alloc(32, 7).toString("base64");
    const { value, stderr } = await encrypt(dir, { OUTPOST_SECRET_KEY: key });
    expect(stderr).toContain("OUTPOST_SECRET_KEY");
    expect(() => statSync(join(dir, "secret.key"))).toThrow();
    writeFileSync(join(dir, "config.yml"), configWith(value));
    const ok = await runCli(["config", "validate"], { cwd: dir, env: { OUTPOST_SECRET_KEY: key } });
    expect(ok.code).toBe(0);
    const loaded = await loadConfig(join(dir, "config.yml"), { env: { OUTPOST_SECRET_KEY: key } });
    expect(loaded.config.databases?.sales?.password).toBe(SECRET);
  });

  test("wrong secret key: one line naming the value's position, no plaintext", async () => {
    const dir = tempDir();
    const { value } = await encrypt(dir);
    writeFileSync(join(dir, "config.yml"), configWith(value));
    writeFileSync(join(dir, "secret.key"), Buffer.alloc(32, 1).toString("base64") + "\n");
    const result = await runCli(["config", "validate"], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.errLines).toEqual([
      "outpost: config.yml:5:15 databases.sales.password: cannot decrypt: wrong secret key, or the value was changed",
    ]);
  });

  test("tampered encrypted value", async () => {
    const dir = tempDir();
    const { value } = await encrypt(dir);
    const body = value.slice("{encrypted: 'ov1:".length, -2);
    const bytes = Buffer.from(body, "base64");
    bytes[bytes.length - 1]! ^= 1;
    writeFileSync(join(dir, "config.yml"), configWith(`{encrypted: 'ov1:${bytes.toString("base64")}'}`));
    const result = await runCli(["config", "validate"], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.errLines).toEqual([
      "outpost: config.yml:5:15 databases.sales.password: cannot decrypt: wrong secret key, or the value was changed",
    ]);
  });

  test("truncated encrypted value", async () => {
    const dir = tempDir();
    await encrypt(dir);
    writeFileSync(join(dir, "config.yml"), configWith("{encrypted: 'ov1:AAAA'}"));
    const result = await runCli(["config", "validate"], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.errLines).toEqual(["outpost: config.yml:5:15 databases.sales.password: encrypted value is too short (truncated?)"]);
  });

  test("no key at all names the missing key file", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "config.yml"), configWith("{encrypted: 'ov1:AAAA'}"));
    const result = await runCli(["config", "validate"], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.errLines).toHaveLength(1);
    expect(result.errLines[0]!).toContain(`secret key file ${join(dir, "secret.key")} does not exist`);
  });

  test("secrets.key_file in config.yml is used by encrypt and load", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "config.yml"), "secrets:\n  key_file: keys/group.key\n");
    const { mkdirSync } = await import("node:fs");
    mkdirSync(join(dir, "keys"));
    const { value } = await encrypt(dir);
    expect(readFileSync(join(dir, "keys/group.key"), "utf8")).toMatch(/^[A-Za-z0-9+/]{43}=\n$/);
    writeFileSync(join(dir, "config.yml"), "secrets:\n  key_file: keys/group.key\n" + configWith(value));
    expect((await runCli(["config", "validate"], { cwd: dir })).code).toBe(0);
  });

  test("without a terminal and without --stdin: a usage error", async () => {
    const result = await runCli(["encrypt"], { stdin: "x" });
    expect(result.code).toBe(2);
    expect(result.errLines).toEqual(["outpost: stdin is not a terminal; pipe the secret in with --stdin"]);
  });
});
