import { describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createKeyFile, keyFilePath, loadSecretKey, readKeyFile } from "../../src/crypto/key-file.ts";

const dir = () => mkdtempSync(join(tmpdir(), "outpost-key-"));

describe("key files", () => {
  test("path: beside config.yml by default, key_file relative to config.yml's folder", () => {
    expect(keyFilePath("/etc/outpost/config.yml")).toBe("/etc/outpost/secret.key");
    expect(keyFilePath("/etc/outpost/config.yml", "keys/g.key")).toBe("/etc/outpost/keys/g.key");
    expect(keyFilePath("/etc/outpost/config.yml", "/srv/g.key")).toBe("/srv/g.key");
  });

  test("created on first use with mode 0600, atomically, then reused; never overwritten", async () => {
    const d = dir();
    const path = join(d, "secret.key");
    const first = await loadSecretKey({ path, env: {}, create: true });
    expect(first.created).toBe(true);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(d)).toEqual(["secret.key"]); // no temp file left behind
    const second = await loadSecretKey({ path, env: {}, create: true });
    expect(second.created).toBe(false);
    expect(Buffer.from(second.key).equals(Buffer.from(first.key))).toBe(true);
    await expect(createKeyFile(path)).rejects.toMatchObject({ code: "EEXIST" });
    expect(readKeyFile(path)).toEqual(first.key);
  });

  test("env key wins over the file; bad env key is KEY_INVALID", async () => {
    const d = dir();
    const key = Buffer.alloc(32, 9);
    const loaded = await loadSecretKey({ path: join(d, "secret.key"), env: { OUTPOST_SECRET_KEY: key.toString("base64") } });
    expect(loaded.source).toBe("env");
    expect(Buffer.from(loaded.key).equals(key)).toBe(true);
    await expect(loadSecretKey({ path: join(d, "x"), env: { OUTPOST_SECRET_KEY: "short" } })).rejects.toMatchObject({ code: "KEY_INVALID" });
  });

  test("missing, unreadable (a directory: root reads through chmod 000) and bad key files", async () => {
    const d = dir();
    expect(() => readKeyFile(join(d, "none.key"))).toThrow(expect.objectContaining({ code: "KEY_MISSING" }));
    mkdirSync(join(d, "dir.key"));
    expect(() => readKeyFile(join(d, "dir.key"))).toThrow(expect.objectContaining({ code: "KEY_UNREADABLE", message: expect.stringContaining(join(d, "dir.key")) }));
    writeFileSync(join(d, "bad.key"), "not a key\n");
    expect(() => readKeyFile(join(d, "bad.key"))).toThrow(expect.objectContaining({ code: "KEY_INVALID" }));
    // loadSecretKey does not create a file unless asked.
    await expect(loadSecretKey({ path: join(d, "none.key"), env: {} })).rejects.toMatchObject({ code: "KEY_MISSING" });
    expect(() => readFileSync(join(d, "none.key"))).toThrow();
  });
});
