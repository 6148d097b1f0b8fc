/**
 * @module
 * MySQL/MariaDB values on their way to JSON, against a real MariaDB: every column type is
 * stored, read through the connector, and compared with the server's own text of the same
 * value (`CAST(col AS CHAR)`) by the rule of the value table in docs/connectors.md.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { createManagedConnector } from "../../src/connectors/managed.ts";
import { createMysqlConnector } from "../../src/connectors/mysql/mysql-connector.ts";
import { silentLogger } from "../../src/log/logger.ts";
import { startMariaDb, type TestMariaDb } from "../support/mariadb.ts";
import { ctx, drain } from "./connection.suite.ts";
import { wantedValue, type ValueRule } from "./values.suite.ts";

const server: TestMariaDb = await startMariaDb({ tls: false });
const db = createManagedConnector(createMysqlConnector({
  adapter: "mysql", host: server.host, port: server.port, database: server.database, username: server.user, password: server.password,
}, { log: silentLogger }), { profile: "my", log: silentLogger });
afterAll(async () => {
  await db.close();
  await server.stop();
});

/** A column, a value for it, and how it reads: `text` as the server's text, `number` as a number equal to it, or exactly `expected`. */
type Case = { column: string; value: string; type: string } & ValueRule;
const CASES: Case[] = [
  { column: "tinyint", value: "-128", type: "tinyint", number: true },
  { column: "tinyint(1)", value: "1", type: "tinyint", number: true },
  { column: "smallint unsigned", value: "65535", type: "smallint", number: true },
  { column: "mediumint", value: "-8388608", type: "mediumint", number: true },
  { column: "int unsigned", value: "4294967295", type: "int", number: true },
  { column: "bigint", value: "9007199254740993", type: "bigint", text: true },
  { column: "bigint unsigned", value: "18446744073709551615", type: "bigint", text: true },
  { column: "decimal(65,30)", value: "12345678901234567890123456789012345.123456789012345678901234567891", type: "decimal", text: true },
  { column: "decimal(30,22)", value: "0.1000000000000000000001", type: "decimal", text: true },
  { column: "float", value: "3.14159", type: "float", number: true },
  { column: "float", value: "16777217", type: "float", expected: 16777216 },
  { column: "double", value: "0.1", type: "double", number: true },
  { column: "double", value: "1e300", type: "double", number: true },
  { column: "bit(1)", value: "b'1'", type: "bit", expected: true },
  { column: "bit(10)", value: "b'1000000101'", type: "bit", expected: "1000000101" },
  { column: "year", value: "2024", type: "year", number: true },
  { column: "date", value: "'1000-01-01'", type: "date", text: true },
  { column: "datetime(6)", value: "'9999-12-31 23:59:59.999999'", type: "datetime", expected: "9999-12-31T23:59:59.999999" },
  { column: "timestamp(3)", value: "'2024-01-31 12:00:00.250'", type: "timestamp", expected: "2024-01-31T12:00:00.250+00:00" },
  { column: "time(6)", value: "'-838:59:59.000000'", type: "time", text: true },
  { column: "time(3)", value: "'12:00:00.5'", type: "time", text: true },
  { column: "char(3)", value: "'a'", type: "char", text: true },
  { column: "varchar(10)", value: "'é  '", type: "varchar", text: true },
  { column: "text", value: "'line\\nbreak'", type: "text", text: true },
  { column: "varbinary(3)", value: "x'00ff10'", type: "varbinary", expected: "AP8Q" },
  { column: "blob", value: "x'00ff10'", type: "blob", expected: "AP8Q" },
  { column: "enum('ok','sad')", value: "'sad'", type: "enum", text: true },
  { column: "set('a','b','c')", value: "'a,c'", type: "set", text: true },
  { column: "json", value: `'{"big": 9007199254740993, "big": 1, "dec": 0.1000000000000000000001,  "n": 123456789012345678901234567890}'`, type: "json", text: true },
  { column: "json", value: "'null'", type: "json", expected: "null" },
  { column: "uuid", value: "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'", type: "uuid", text: true },
  { column: "inet6", value: "'::ffff:10.0.0.1'", type: "inet6", text: true },
];

describe("mariadb values", () => {
  test("every type reads as the value table says, checked against the server's own text", async () => {
    const table = "vals";
    await db.execute({ sql: `create table ${table} (${CASES.map((c, i) => `c${i} ${c.column}`).join(", ")}, none int)` }, ctx());
    await db.execute({ sql: `insert into ${table} values (${CASES.map((c) => c.value).join(", ")}, null)` }, ctx());
    const values = await db.query({ sql: `select * from ${table}` }, ctx());
    const row = (await drain(Promise.resolve(values)))[0]!;
    const texts = (await drain(db.query({ sql: `select ${CASES.map((_, i) => `cast(c${i} as char) as c${i}`).join(", ")} from ${table}` }, ctx())))[0]!;
    const seen = CASES.map((c, i) => ({ column: c.column, type: values.columns[i]!.type, value: row[`c${i}`] }));
    const wanted = CASES.map((c, i) => {
      const text = texts[`c${i}`] as string;
      return { column: c.column, type: c.type, value: wantedValue(c, text) };
    });
    expect(seen).toEqual(wanted);
    expect(row.none).toBeNull();
  });
});
