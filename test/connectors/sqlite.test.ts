/** @module Runs the database conformance suite against the embedded SQLite connector, on a real file. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "bun:test";
import { SqliteConnector } from "../../src/connectors/sqlite/sqlite-connector.ts";
import { runDatabaseConformance } from "./database.suite.ts";

const dir = mkdtempSync(join(tmpdir(), "outpost-sqlite-"));
const path = join(dir, "test.db");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

runDatabaseConformance({
  name: "sqlite",
  create: async ({ readonly }) => ({ connector: new SqliteConnector({ path, readonly }) }),
  dialect: {
    placeholder: () => "?",
    createTable: (table) => `create table ${table} (id integer primary key, name varchar(100))`,
    generateRows: (count) =>
      `with recursive g(n) as (select 1 union all select n + 1 from g where n < ${count}) select n from g`,
    typesQuery: "select 9007199254740993 as big, null as missing, 1 = 1 as yes, x'00ff10' as bytes",
    booleanTrue: 1,
    beginTransaction: "begin",
  },
});
