/** @module The database conformance suite and PostgreSQL's own type mapping, against a real server with TLS verified. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { DatabaseProfile } from "../../src/config/types.ts";
import type { Row } from "../../src/connectors/connector.ts";
import { createManagedConnector } from "../../src/connectors/managed.ts";
import { createPostgresConnector } from "../../src/connectors/postgres/postgres-connector.ts";
import { silentLogger } from "../../src/log/logger.ts";
import { startPostgres, type TestPostgres } from "../support/postgres.ts";
import { ctx, drain } from "./connection.suite.ts";
import { runDatabaseConformance } from "./database.suite.ts";
import { failure } from "../support/failure.ts";

const server: TestPostgres = await startPostgres({ tls: true });
afterAll(() => server.stop());
// A role the test user may `SET ROLE` to: the reset must take it back.
await server.psql("create role outpost_other; grant outpost_other to outpost");

const profileOf = (pg: TestPostgres, extra: Partial<DatabaseProfile> = {}): DatabaseProfile => ({
  adapter: "postgresql", host: pg.host, port: pg.port, database: pg.database, username: pg.user, password: pg.password,
  ssl: { mode: "verify-full", ca: pg.caPath }, ...extra,
});

runDatabaseConformance({
  name: "postgresql (TLS verify-full)",
  create: async ({ readonly, poolSize }) => ({
    connector: createPostgresConnector(profileOf(server, { readonly, ...(poolSize ? { pool: { size: poolSize } } : {}) }), { log: silentLogger }),
  }),
  dialect: {
    placeholder: (i) => `$${i}`,
    createTable: (table) => `create table ${table} (id integer primary key, name varchar(100))`,
    generateRows: (count) => `select n::int4 as n from generate_series(1, ${count}) as n`,
    typesQuery: "select 9007199254740993::int8 as big, null as missing, true as yes, '\\x00ff10'::bytea as bytes",
    booleanTrue: true,
    slowQuery: "select pg_sleep(30)",
    readOnlyEscapes: (table) => [
      [`begin read write; insert into ${table} values (1, 'a'); commit`],
      [`commit; begin read write; insert into ${table} values (2, 'b'); commit`],
      ["set default_transaction_read_only = off", `insert into ${table} values (3, 'c')`],
      ["set session characteristics as transaction read write", `insert into ${table} values (4, 'd')`],
      ["set transaction read write", `insert into ${table} values (5, 'e')`],
      ["begin read write", `insert into ${table} values (6, 'f')`, "commit"],
      [`insert into ${table} values (7, 'g')`],
      // PostgreSQL ends a -- comment at \r too; nested comments; empty statements first.
      ["-- x\rbegin read write", `insert into ${table} values (8, 'h')`],
      ["-- x\rcommit", "/* /* */ commit */ set transaction read write", `insert into ${table} values (9, 'i')`],
      [";commit", ";;begin read write", `insert into ${table} values (10, 'j')`],
      ["select set_config('default_transaction_read_only', 'off', false)", `insert into ${table} values (11, 'k')`],
      // A DO block that commits would start a read-write transaction of its own in autocommit.
      [`do $$ begin perform set_config('default_transaction_read_only', 'off', false); commit; insert into ${table} values (12, 'l'); end $$`],
      [`do $tag$ begin set transaction read write; insert into ${table} values (13, 'm'); end $tag$`],
      ["set transaction read write", `insert into ${table} values (14, 'n')`],
    ],
    // The probe's finding: a \r-ended comment hid BEGIN from the first-keyword check.
    beginTransaction: "-- x\rbegin",
    sessionLeaks: (table) => [
      // SET LOCAL lasts as long as a transaction someone left open.
      { name: "an open transaction", change: ["-- x\rbegin", ";begin", "/* /* */ */ start transaction", "set local application_name = 'in_tx'"], probe: "select current_setting('application_name') as v" },
      { name: "search_path", change: ["set search_path = pg_catalog"], probe: "select current_setting('search_path') as v" },
      { name: "set_config", change: ["select set_config('outpost.who', 'mallory', false)"], probe: "select coalesce(current_setting('outpost.who', true), '') as v" },
      { name: "statement_timeout", change: ["set statement_timeout = 1"], probe: "select current_setting('statement_timeout') as v" },
      { name: "set role", change: ["set role outpost_other"], probe: "select current_user::text as u" },
      { name: "session characteristics", change: ["set session characteristics as transaction isolation level serializable"], probe: "select current_setting('default_transaction_isolation') as v" },
      { name: "advisory lock", change: ["select pg_advisory_lock(42)"], probe: "select count(*)::int4 as c from pg_locks where locktype = 'advisory'" },
      { name: "advisory lock on read-only", change: ["select pg_advisory_lock(42)"], probe: "select count(*)::int4 as c from pg_locks where locktype = 'advisory'", readonly: true },
      { name: "prepared statement on read-only", change: ["prepare outpost_p as select 1"], probe: "select count(*)::int4 as c from pg_prepared_statements", readonly: true },
      { name: "prepared statement", change: ["prepare outpost_p as select 1", "do $$ begin execute 'prepare outpost_q as select 2'; end $$"], probe: "select count(*)::int4 as c from pg_prepared_statements" },
      { name: "listen", change: ["listen outpost_channel"], probe: "select count(*)::int4 as c from pg_listening_channels()" },
      { name: "cursor with hold", change: ["declare outpost_c cursor with hold for select 1"], probe: "select count(*)::int4 as c from pg_cursors where is_holdable" },
      { name: "temp table shadowing a real table", change: [`create temp table ${table} as select 1 as id, 'temp' as name`], probe: `select count(*)::int4 as c from ${table}` },
    ],
  },
});

describe("postgresql specifics", () => {
  const db = createManagedConnector(createPostgresConnector(profileOf(server), { log: silentLogger }), { profile: "pg", log: silentLogger });
  const all = async (sql: string, params?: Row[string][]) => {
    const result = await db.query({ sql, params }, ctx());
    return { columns: result.columns, rows: await drain(Promise.resolve(result)) };
  };
  beforeAll(async () => {
    await db.execute({ sql: "create type mood as enum ('ok', 'sad')" }, ctx());
    await db.execute({ sql: `create procedure add_one(inout n int4, out label text) language plpgsql as $$
      begin n := n + 1; label := 'was ' || (n - 1); end $$` }, ctx());
    await db.execute({ sql: "create function twice(x int4) returns table (v int4) language sql as $$ select x union all select x * 2 $$" }, ctx());
  });
  afterAll(() => db.close());

  test("maps numbers, dates, JSON, arrays and names each column's type", async () => {
    const { columns, rows } = await all(`select 123456789012345678901234.5::numeric as dec, 1.5::float8 as f, 'NaN'::float8 as nan,
      '2024-01-31 12:34:56.123456+02'::timestamptz as tz, '2024-01-31 12:34:56'::timestamp as ts, '2024-01-31'::date as d,
      '1 day 2 hours'::interval as iv, '{"a": [1, null]}'::jsonb as j, array[1, 2, null]::int4[] as arr,
      array['2024-01-31 00:00:00+00']::timestamptz[] as tzs, 'ok'::mood as m, gen_random_uuid() is not null as b`);
    expect(rows[0]).toEqual({
      dec: "123456789012345678901234.5", f: 1.5, nan: "NaN", tz: "2024-01-31T10:34:56.123456+00:00", ts: "2024-01-31T12:34:56",
      d: "2024-01-31", iv: "P1DT2H", j: '{"a": [1, null]}', arr: [1, 2, null], tzs: ["2024-01-31T00:00:00+00:00"], m: "ok", b: true,
    });
    expect(columns.map((c) => c.type)).toEqual(["numeric", "float8", "float8", "timestamptz", "timestamp", "date", "interval",
      "jsonb", "_int4", "_timestamptz", "mood", "bool"]);
  });

  test("binds arrays and JSON objects as parameters", async () => {
    const { rows } = await all("select $1::jsonb -> 'k' as k, $1::jsonb ->> 'k' as v, 3 = any($2::int4[]) as has", [{ k: "v" }, [1, 3]]);
    expect(rows).toEqual([{ k: '"v"', v: "v", has: true }]);
  });

  test("calls a procedure with INOUT and OUT parameters", async () => {
    const result = await db.call!({ procedure: "add_one", params: { n: 41, label: { out: true, type: "text" } } }, ctx());
    expect(result).toEqual({ outputs: { n: 42, label: "was 41" }, resultSets: [] });
  });

  test("calls a set-returning function and returns its rows", async () => {
    const result = await db.call!({ procedure: "public.twice", params: { x: 4 } }, ctx());
    expect(result.resultSets).toEqual([{ columns: [{ name: "v", type: "int4" }], rows: [{ v: 4 }, { v: 8 }] }]);
  });

  test("keeps parameter values out of error messages and attaches the SQL invisibly", async () => {
    const error = await db.execute({ sql: "select $1::int4", params: ["secret-value-123"] }, ctx()).catch((e) => e);
    expect(error.code).toBe("QUERY_FAILED");
    expect(error.message).not.toContain("secret-value-123");
    expect(error.sql).toBe("select $1::int4");
    expect(Object.keys(error)).not.toContain("sql");
  });

  test("transaction control is refused before it reaches the server; VACUUM still runs outside a transaction", async () => {
    for (const sql of ["begin", "  /* a /* nested */ comment */ START TRANSACTION", "-- x\ncommit", "END", "rollback", "savepoint s", "prepare transaction 'x'"]) {
      expect({ sql, code: (await failure(db.execute({ sql }, ctx()))).code }).toEqual({ sql, code: "BAD_REQUEST" });
    }
    expect(await db.execute({ sql: "vacuum" }, ctx())).toEqual({ rowsAffected: 0 });
    expect((await all("select 'begin' as word")).rows).toEqual([{ word: "begin" }]);
  });

  test("read-only: each call is its own READ ONLY transaction, also a stream left early, and calls still work", async () => {
    const ro = createManagedConnector(createPostgresConnector(profileOf(server, { readonly: true, pool: { size: 1 } }), { log: silentLogger }), { profile: "pg-ro", log: silentLogger });
    try {
      const stream = await ro.query({ sql: "select n from generate_series(1, 5000) n" }, ctx());
      for await (const _ of stream.rows) break;
      const read = async (sql: string) => {
        const rows: Row[] = [];
        for await (const batch of (await ro.query({ sql }, ctx())).rows) rows.push(...batch);
        return rows;
      };
      expect(await read("select current_setting('transaction_read_only') as ro")).toEqual([{ ro: "on" }]);
      await ro.execute({ sql: "set default_transaction_read_only = off" }, ctx());
      expect(await read("select current_setting('default_transaction_read_only') as d")).toEqual([{ d: "on" }]);
      expect((await ro.call!({ procedure: "twice", params: { x: 2 } }, ctx())).resultSets[0]?.rows).toEqual([{ v: 2 }, { v: 4 }]);
    } finally {
      await ro.close();
    }
  });
});
