/** @module SQLite statements cannot reach files outside the profile's database: ATTACH, VACUUM INTO, directory pragmas. */
import { Database } from "bun:sqlite";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SqliteConnector } from "../../src/connectors/sqlite/sqlite-connector.ts";
import { ctx, rowsOf, writerAndReader } from "./sqlite-support.ts";
import { failure } from "../support/failure.ts";

const dir = mkdtempSync(join(tmpdir(), "outpost-sqlite-guard-"));
const outside = mkdtempSync(join(tmpdir(), "outpost-sqlite-outside-"));
const path = join(dir, "main.db");
const other = join(dir, "other.db");

beforeAll(async () => {
  const seed = new SqliteConnector({ path: other });
  await seed.init();
  await seed.execute({ sql: "create table secret (v text)" }, ctx());
  await seed.execute({ sql: "insert into secret values ('hidden')" }, ctx());
  await seed.close();
});
const { writer, reader } = writerAndReader(path);
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

describe("sqlite: statements stay inside the database file", () => {
  const escapes = (target: string) => [
    `attach database '${target}' as x`,
    `ATTACH '${target}' AS x`,
    `  /* comment */ attach 'file:${target}?mode=rwc' as x`,
    `attach '${other}' as x`,
    `detach database x`,
    `vacuum into '${target}'`,
    `VACUUM main INTO '${target}'`,
    `pragma temp_store_directory = '${outside}'`,
    `pragma "temp_store_directory" = '${outside}'`,
    `explain pragma temp_store_directory = '${outside}'`,
    `pragma data_store_directory = '${outside}'`,
  ];

  for (const [name, connector] of [["read-write", writer], ["read-only", reader]] as const) {
    test(`${name}: every escape is FORBIDDEN_PATH, through query, execute and batch, and no file appears`, async () => {
      const target = join(outside, `${name}.db`);
      for (const sql of escapes(target)) {
        for (const call of [
          () => connector.execute({ sql }, ctx()),
          () => connector.query({ sql }, ctx()),
          () => connector.batch({ sql, rows: [[]] }, ctx()),
        ]) {
          expect({ sql, code: (await failure(call())).code }).toEqual({ sql, code: "FORBIDDEN_PATH" });
        }
      }
      expect(readdirSync(outside)).toEqual([]);
      expect(await rowsOf(connector, "select name from pragma_database_list order by seq")).toEqual([{ name: "main" }]);
    });
  }

  test("a bound file name is refused too", async () => {
    const target = join(outside, "bound.db");
    expect((await failure(writer.execute({ sql: "attach ? as x", params: [target] }, ctx()))).code).toBe("FORBIDDEN_PATH");
    expect((await failure(writer.execute({ sql: "vacuum into ?", params: [target] }, ctx()))).code).toBe("FORBIDDEN_PATH");
    expect(existsSync(target)).toBe(false);
  });

  test("the process-wide temp directory stays unset", async () => {
    const probe = new Database(":memory:");
    expect(probe.prepare("pragma temp_store_directory").all()).toEqual([]);
    probe.close();
  });

  test("ordinary statements, plain VACUUM, EXPLAIN and errors behave as before", async () => {
    expect((await writer.execute({ sql: "insert into t values (?)", params: ["a"] }, ctx())).rowsAffected).toBe(1);
    expect(await rowsOf(reader, "select v from t")).toEqual([{ v: "a" }]);
    expect((await writer.execute({ sql: "vacuum" }, ctx())).rowsAffected).toBe(0);
    expect((await rowsOf(reader, "explain query plan select v from t")).length).toBeGreaterThan(0);
    expect((await rowsOf(writer, "explain select v from t")).length).toBeGreaterThan(0);
    expect((await failure(writer.execute({ sql: "selec 1" }, ctx()))).code).toBe("QUERY_FAILED");
    expect((await failure(reader.execute({ sql: "insert into t values ('b')" }, ctx()))).code).toBe("READ_ONLY");
    expect((await failure(reader.execute({ sql: "insert into nowhere values (1)" }, ctx()))).code).toBe("QUERY_FAILED");
  });
});
