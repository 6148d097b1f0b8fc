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

/** Every kind of object the temp schema takes, even on a read-only connection. */
const TEMP_OBJECTS = [
  "create temp table leak_table (a)",
  "create table temp.leak_qualified (a)",
  "create temp view leak_view as select 1",
  "create temp trigger leak_trigger after insert on temp.leak_table begin select 1; end",
  "create index temp.leak_index on leak_table (a)",
  "create virtual table temp.leak_fts using fts5 (a)",
];

/** Connection settings a call could change for the next caller, each set away from its default. */
const SESSION_PRAGMA_VALUES: Record<string, string> = {
  query_only: "1", foreign_keys: "1", recursive_triggers: "1", defer_foreign_keys: "1",
  reverse_unordered_selects: "1", trusted_schema: "0", cache_size: "7", busy_timeout: "1",
  temp_store: "2", synchronous: "0", automatic_index: "0", cell_size_check: "1",
  ignore_check_constraints: "1", legacy_alter_table: "1", read_uncommitted: "1", secure_delete: "1",
  writable_schema: "1", count_changes: "1", full_column_names: "1", short_column_names: "0",
  empty_result_callbacks: "1", cache_spill: "0", analysis_limit: "10", journal_size_limit: "1",
  max_page_count: "100000", soft_heap_limit: "1000000", threads: "2", locking_mode: "exclusive",
  journal_mode: "memory", checkpoint_fullfsync: "1", fullfsync: "1",
};
const SESSION_PRAGMAS = Object.entries(SESSION_PRAGMA_VALUES).map(([name, value]) => `pragma ${name} = ${value}`);
const SESSION_PRAGMA_PROBE = `select * from ${Object.keys(SESSION_PRAGMA_VALUES).map((name) => `pragma_${name}`).join(", ")}`;

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
    readOnlyEscapes: (table) => [
      ["pragma query_only = 0", `insert into ${table} (id, name) values (1, 'x')`],
      ["pragma writable_schema = 1", `insert into ${table} (id, name) values (1, 'x')`],
      [`create temp trigger ${table}_ro after insert on temp.sqlite_master begin select 1; end`, `insert into ${table} (id, name) values (1, 'x')`],
    ],
    sessionLeaks: (table) => {
      const shadow = [`create temp table ${table} (id integer primary key, name varchar(100))`, `insert into temp.${table} values (1, 'spoofed')`];
      const probeInsert = `insert or replace into ${table} (id, name) values (1, 'probe') returning id, name`;
      return [
        { name: "temp table shadows a main table (read-only)", readonly: true, change: shadow, probe: `select id, name from ${table}` },
        { name: "temp table shadows a main table (read-write)", change: shadow, probe: `select id, name from ${table}` },
        { name: "temp view shadows a main table (read-only)", readonly: true, change: [`create temp view ${table} as select 1 as id, 'spoofed' as name`], probe: `select id, name from ${table}` },
        { name: "temp trigger drops the next caller's insert", change: [`create temp trigger ${table}_drop before insert on main.${table} begin select raise(ignore); end`], probe: probeInsert },
        { name: "temp objects of every kind", readonly: true, change: TEMP_OBJECTS, probe: "select type, name from temp.sqlite_master" },
        { name: "pragma query_only = 1 refuses the next caller's write", change: ["pragma query_only = 1"], probe: probeInsert },
        { name: "explain pragma sets it too (compiling is enough)", change: ["explain pragma query_only = 1", "EXPLAIN QUERY PLAN pragma query_only = 1"], probe: probeInsert },
        { name: "pragma case_sensitive_like (read-only)", readonly: true, change: ["pragma case_sensitive_like = 1", "PRAGMA case_sensitive_like(on)"], probe: "select 'a' like 'A' as same" },
        { name: "connection pragmas (read-write)", change: SESSION_PRAGMAS, probe: SESSION_PRAGMA_PROBE },
        { name: "connection pragmas (read-only)", readonly: true, change: SESSION_PRAGMAS, probe: SESSION_PRAGMA_PROBE },
        { name: "an open transaction", change: ["begin immediate", `insert into ${table} (id, name) values (7, 'uncommitted')`], probe: "begin" },
        { name: "an open savepoint", change: ["savepoint s1", `insert into ${table} (id, name) values (8, 'uncommitted')`], probe: "savepoint probe" },
      ];
    },
  },
});
