/** @module The database conformance suite and MySQL/MariaDB type mapping and procedures, against a real MariaDB with TLS verified. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { DatabaseProfile } from "../../src/config/types.ts";
import type { Row } from "../../src/connectors/connector.ts";
import { createManagedConnector } from "../../src/connectors/managed.ts";
import { createMysqlConnector } from "../../src/connectors/mysql/mysql-connector.ts";
import { silentLogger } from "../../src/log/logger.ts";
import { startMariaDb, type TestMariaDb } from "../support/mariadb.ts";
import { failure } from "../support/failure.ts";
import { ctx, drain } from "./connection.suite.ts";
import { runDatabaseConformance } from "./database.suite.ts";

const server: TestMariaDb = await startMariaDb({ tls: true });
afterAll(() => server.stop());

const profileOf = (extra: Partial<DatabaseProfile> = {}): DatabaseProfile => ({
  adapter: "mysql", host: server.host, port: server.port, database: server.database, username: server.user,
  password: server.password, ssl: { mode: "verify-full", ca: server.caPath }, ...extra,
});

runDatabaseConformance({
  name: "mariadb (TLS verify-full)",
  create: async ({ readonly, poolSize }) => ({
    connector: createMysqlConnector(profileOf({ readonly, ...(poolSize ? { pool: { size: poolSize } } : {}) }), { log: silentLogger }),
  }),
  dialect: {
    placeholder: () => "?",
    createTable: (table) => `create table ${table} (id integer primary key, name varchar(100))`,
    generateRows: (count) => `with recursive g(n) as (select 1 union all select n + 1 from g where n < ${count}) select n from g`,
    typesQuery: "select 9007199254740993 as big, null as missing, true as yes, x'00ff10' as bytes",
    booleanTrue: 1,
    slowQuery: "select sleep(30)",
    readOnlyEscapes: (table) => [
      ["SET SESSION TRANSACTION READ WRITE", `insert into ${table} values (1, 'a')`],
      ["SET TRANSACTION READ WRITE", `insert into ${table} values (2, 'b')`],
      ["START TRANSACTION READ WRITE", `insert into ${table} values (3, 'c')`, "COMMIT"],
      [`insert into ${table} values (4, 'd'); commit`],
      [`insert into ${table} values (5, 'e')`],
      // One statement that carries its own tx_read_only (issue 11): DML and DDL alike.
      [`set statement tx_read_only=0 for insert into ${table} values (6, 'f')`],
      [`SET STATEMENT tx_read_only = 0, sql_mode = '' FOR drop table ${table}`],
      [`set statement tx_read_only=0 for truncate table ${table}`],
      [`set statement tx_read_only=0 for rename table ${table} to ${table}_gone`],
      // Executable comments are code: the server runs what is inside.
      [`/*!50000 set statement tx_read_only=0 for */ insert into ${table} values (7, 'g')`],
      [`/*M!100000 set statement tx_read_only=0 for */ drop table ${table}`],
      [`select 1 /*! , 2 */`, `/*!drop table ${table}*/`],
      // The `@@` and session forms of the same setting, and autocommit.
      ["set @@session.tx_read_only = 0", `insert into ${table} values (8, 'h')`],
      ["set @@tx_read_only = 0", `insert into ${table} values (9, 'i')`],
      ["set session tx_read_only = 0", `insert into ${table} values (10, 'j')`],
      ["set autocommit = 0", "start transaction read write", `insert into ${table} values (11, 'k')`, "commit"],
      [`execute immediate 'insert into ${table} values (12, ''l'')'`],
      [`-- x\ninsert into ${table} values (13, 'm')`],
      [`#\rdrop table ${table}`],
    ],
    beginTransaction: "START TRANSACTION",
    sessionLeaks: (table) => [
      { name: "a temporary table hides the real one", change: [`create temporary table ${table} select 1 as id, 'temp' as name`], probe: `select id, name from ${table}` },
      { name: "autocommit", change: ["set autocommit = 0"], probe: "select @@autocommit as a" },
      { name: "user variables", change: ["set @outpost_x = 42", "select @outpost_y := 7"], probe: "select @outpost_x as x, @outpost_y as y" },
      {
        name: "session variables",
        change: ["set session sql_mode = 'ANSI_QUOTES'", "set time_zone = '+05:00'", "set names latin1", "set session transaction isolation level serializable"],
        probe: "select @@sql_mode as m, @@time_zone as tz, @@character_set_client as cs, @@tx_isolation as iso",
      },
      { name: "a named lock", change: ["select get_lock('outpost_leak', 0)"], probe: "select is_used_lock('outpost_leak') is null as free" },
      { name: "the current database", change: ["use information_schema"], probe: "select database() as db" },
      // Held, the lock under an alias makes the probe fail ("was not locked with LOCK TABLES").
      { name: "a table lock", change: [`lock tables ${table} as locked read`], probe: `select count(*) as c from ${table}` },
      { name: "read-only: user variables", readonly: true, change: ["select @outpost_y := 7"], probe: "select @outpost_y as y" },
      { name: "read-only: a named lock", readonly: true, change: ["select get_lock('outpost_leak_ro', 0)"], probe: "select is_used_lock('outpost_leak_ro') is null as free" },
      {
        name: "read-only: session variables and the transaction mode",
        readonly: true,
        change: ["set time_zone = '+05:00'", "set session transaction read write", "set autocommit = 0"],
        probe: "select @@time_zone as tz, @@tx_read_only as ro, @@autocommit as a",
      },
    ],
  },
});

describe("mariadb specifics", () => {
  const db = createManagedConnector(createMysqlConnector(profileOf(), { log: silentLogger }), { profile: "my", log: silentLogger });
  const all = async (sql: string, params?: Row[string][]) => {
    const result = await db.query({ sql, params }, ctx());
    return { columns: result.columns, rows: await drain(Promise.resolve(result)) };
  };
  beforeAll(async () => {
    await db.execute({ sql: `create procedure add_one(inout n int, out label varchar(20), in unused int)
      begin set label = concat('was ', n); set n = n + 1; select n as now_n; end` }, ctx());
  });
  afterAll(() => db.close());

  test("maps decimals, dates, bits and binary, naming each column's type", async () => {
    const { columns, rows } = await all(`select cast(12345678901234567890.5 as decimal(30,1)) as dec1, 1.5e0 as f,
      cast('2024-01-31 12:34:56.123456' as datetime(6)) as dt, cast('2024-01-31' as date) as d, b'1' as bit1,
      cast('x' as binary(2)) as bin, 'text' as t, -9007199254740993 as neg`);
    expect(rows[0]).toEqual({ dec1: "12345678901234567890.5", f: 1.5, dt: "2024-01-31T12:34:56.123456", d: "2024-01-31",
      bit1: "AQ==", bin: "eAA=", t: "text", neg: "-9007199254740993" });
    expect(columns.map((c) => c.type)).toEqual(["decimal", "double", "datetime", "date", "varbinary", "varbinary", "varchar", "bigint"]);
  });

  test("timestamps come back in UTC with their zone", async () => {
    await db.execute({ sql: "create table stamps (t timestamp(3), flag bit(1))" }, ctx());
    await db.execute({ sql: "insert into stamps values (?, b'1')", params: ["2024-01-31 12:00:00.250"] }, ctx());
    expect((await all("select t, flag from stamps")).rows).toEqual([{ t: "2024-01-31T12:00:00.250+00:00", flag: true }]);
  });

  test("calls a procedure with IN, INOUT and OUT parameters and returns its result set", async () => {
    const result = await db.call!({ procedure: "add_one", params: { n: { out: true, value: 41 }, label: { out: true }, unused: 0 } }, ctx());
    expect(result.outputs).toEqual({ n: 42, label: "was 41" });
    expect(result.resultSets.map((set) => set.rows)).toEqual([[{ now_n: 42 }]]);
  });

  test("other callers' SET autocommit=0 does not lose confirmed writes", async () => {
    const shared = createManagedConnector(createMysqlConnector(profileOf({ pool: { size: 2 } }), { log: silentLogger }), { profile: "two", log: silentLogger });
    try {
      await db.execute({ sql: "create table confirmed (id int primary key)" }, ctx());
      for (let i = 0; i < 4; i++) await shared.execute({ sql: "set autocommit=0" }, ctx());
      for (let id = 1; id <= 3; id++) expect(await shared.execute({ sql: "insert into confirmed values (?)", params: [id] }, ctx())).toEqual({ rowsAffected: 1 });
    } finally {
      await shared.close();
    }
    expect((await all("select id from confirmed order by id")).rows).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }]);
  });

  test("a read-only profile refuses procedure calls: a procedure can commit and leave read-only mode", async () => {
    const ro = createMysqlConnector(profileOf({ readonly: true }), { log: silentLogger });
    try {
      expect((await failure(ro.call!({ procedure: "add_one", params: {} }, ctx()))).code).toBe("READ_ONLY");
    } finally {
      await ro.close();
    }
  });

  test("a long parameter the server echoes shortened ('…64 characters...') is still cut", async () => {
    await db.execute({ sql: "create table long_keys (k varchar(400) primary key)" }, ctx());
    const secret = `secret-${"k".repeat(50)}-${"z".repeat(240)}`;
    await db.execute({ sql: "insert into long_keys values (?)", params: [secret] }, ctx());
    const error = await failure(db.execute({ sql: "insert into long_keys values (?)", params: [secret] }, ctx()));
    expect(error.message).toContain("Duplicate entry");
    expect(error.message).not.toContain("secret-kkkk");
    expect(error.message).not.toContain("kkkkkkkkkkkkkkkk");
  });

  test("keeps parameter values out of error messages and attaches the SQL invisibly", async () => {
    await db.execute({ sql: "create table uniq (k varchar(40) primary key)" }, ctx());
    await db.execute({ sql: "insert into uniq values (?)", params: ["secret-value-123"] }, ctx());
    const error = await db.execute({ sql: "insert into uniq values (?)", params: ["secret-value-123"] }, ctx()).catch((e) => e);
    expect(error.code).toBe("QUERY_FAILED");
    expect(error.message).not.toContain("secret-value-123");
    expect(error.sql).toBe("insert into uniq values (?)");
    expect(Object.keys(error)).not.toContain("sql");
  });
});
