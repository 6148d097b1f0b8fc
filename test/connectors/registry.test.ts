/** @module The registry builds managed connectors from profiles, loading backends lazily. */
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createManagedProfile } from "../../src/connectors/registry.ts";
import { silentLogger } from "../../src/log/logger.ts";

const dir = mkdtempSync(join(tmpdir(), "outpost-registry-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("a sqlite profile with a relative path resolves against baseDir and answers", async () => {
  const db = await createManagedProfile("databases", "local", { adapter: "sqlite", path: "local.db" }, { log: silentLogger, baseDir: dir });
  if (db.kind !== "database") throw new Error("expected a database connector");
  using ctx = db.withContext({});
  await db.health(ctx);
  await db.execute({ sql: "create table t (x)" }, ctx);
  expect(Bun.file(join(dir, "local.db")).size).toBeGreaterThan(0);
  await db.close();
});

test("a files profile lists its base", async () => {
  writeFileSync(join(dir, "hello.txt"), "hi");
  const files = await createManagedProfile("files", "docs", { base: dir }, { log: silentLogger });
  if (files.kind !== "files") throw new Error("expected a files connector");
  using ctx = files.withContext({});
  expect((await files.list({ path: "" }, ctx)).map((e) => e.name)).toContain("hello.txt");
});

test("an unknown adapter is BAD_REQUEST", async () => {
  const promise = createManagedProfile("databases", "x", { adapter: "oracle" as never }, { log: silentLogger });
  await expect(promise).rejects.toMatchObject({ code: "BAD_REQUEST" });
});

// ssl.* files are read relative to config.yml's folder (baseDir), not the working directory:
// a relative name that exists only under baseDir is found, and a missing one is named with
// its full path under baseDir. Port 9 on loopback refuses, so nothing leaves the machine.
for (const adapter of ["postgresql", "mysql", "sqlserver"] as const) {
  test(`${adapter}: relative ssl paths resolve against config.yml's folder`, async () => {
    const base = mkdtempSync(join(dir, `ssl-${adapter}-`));
    writeFileSync(join(base, "db-ca.pem"), "-----BEGIN CERTIFICATE-----\nMA==\n-----END CERTIFICATE-----\n");
    const profile = (ca: string) => ({ adapter, host: "127.0.0.1", port: 9, username: "u", password: "p", database: "d", connect_timeout: 2, ssl: { mode: "verify-ca" as const, ca } });
    const missing = await createManagedProfile("databases", "m", profile("nope.pem"), { log: silentLogger, baseDir: base });
    using ctx = missing.withContext({});
    await expect(missing.health(ctx)).rejects.toMatchObject({ message: expect.stringContaining(`cannot read ssl.ca file ${join(base, "nope.pem")}`) });
    const found = await createManagedProfile("databases", "f", profile("db-ca.pem"), { log: silentLogger, baseDir: base });
    using ctx2 = found.withContext({});
    const error = await found.health(ctx2).then(() => undefined, (e: Error) => e);
    expect(error?.message ?? "").not.toContain("cannot read ssl.ca");
    await Promise.all([missing.close(), found.close()]);
  }, 20_000);
}
