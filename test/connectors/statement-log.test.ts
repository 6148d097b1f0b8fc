/**
 * @module
 * A database profile's statements on the `sql` log component at debug level, parameters
 * only with the profile's `debug: true`, and nothing of the profile's settings (its
 * password) ever; at info level no line and no wrapper. Through the registry, on SQLite.
 */
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DatabaseProfile } from "../../src/config/types.ts";
import { createManagedProfile } from "../../src/connectors/registry.ts";
import { createLogger, type Level } from "../../src/log/logger.ts";

const dir = mkdtempSync(join(tmpdir(), "outpost-stmtlog-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(debug: boolean, components: Record<string, Level> = { sql: "debug" }) {
  const lines: Record<string, unknown>[] = [];
  const log = createLogger("agent", { level: "info", components, format: "json", sinks: [{ write: (line) => lines.push(JSON.parse(line)) }] });
  const profile = { adapter: "sqlite", path: join(dir, `${debug}-${Object.keys(components).length}.db`), password: "hunter2-never-logged", debug } as DatabaseProfile;
  const db = await createManagedProfile("databases", "local", profile, { log });
  if (db.kind !== "database") throw new Error("expected a database connector");
  using ctx = db.withContext({ requestId: "req-1" });
  await db.execute({ sql: "create table t (x, y)" }, ctx);
  await db.execute({ sql: "insert into t values (?, ?)", params: ["card-4111", 7] }, ctx);
  const result = await db.query({ sql: "select x from t where y = ?", params: [7] }, ctx);
  for await (const _ of result.rows) void _;
  await db.close();
  return lines.filter((line) => line.msg === "statement");
}

test("debug: true logs each statement with its parameters, on the sql component, never the password", async () => {
  const lines = await run(true);
  expect(lines.map((l) => [l.component, l.level, l.op, l.sql, l.paramValues])).toEqual([
    ["sql", "debug", "execute", "create table t (x, y)", []],
    ["sql", "debug", "execute", "insert into t values (?, ?)", ["card-4111", 7]],
    ["sql", "debug", "query", "select x from t where y = ?", [7]],
  ]);
  expect(lines.every((l) => l.requestId === "req-1" && l.profile === "local")).toBe(true);
  expect(JSON.stringify(lines)).not.toContain("hunter2");
});

test("without debug the statement is logged but not its parameters", async () => {
  const lines = await run(false);
  expect(lines.map((l) => [l.sql, l.paramCount, "paramValues" in l])).toEqual([
    ["create table t (x, y)", 0, false],
    ["insert into t values (?, ?)", 2, false],
    ["select x from t where y = ?", 1, false],
  ]);
  expect(JSON.stringify(lines)).not.toContain("card-4111");
});

test("at info level nothing is logged, debug or not", async () => {
  expect(await run(true, {})).toEqual([]);
});
