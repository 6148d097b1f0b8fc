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
