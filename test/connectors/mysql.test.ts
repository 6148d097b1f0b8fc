/** @module The database conformance suite and MySQL/MariaDB type mapping and procedures, against a real MariaDB with TLS verified. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { DatabaseProfile } from "../../src/config/types.ts";
import type { Row } from "../../src/connectors/connector.ts";
import { createManagedConnector } from "../../src/connectors/managed.ts";
import { createMysqlConnector } from "../../src/connectors/mysql/mysql-connector.ts";
import { silentLogger } from "../../src/log/logger.ts";
import { startMariaDb, type TestMariaDb } from "../support/mariadb.ts";
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
    ],
    beginTransaction: "START TRANSACTION",
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
