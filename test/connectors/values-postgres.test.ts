/**
 * @module
 * PostgreSQL values on their way to JSON, against a real server: every column type is read
 * through the connector and compared with the server's own text (`col::text`) by the rule
 * of the value table in docs/connectors.md — exact numbers and JSON documents as the
 * server's text, floats as the server prints them, dates of every era in one ISO form.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Row } from "../../src/connectors/connector.ts";
import { createManagedConnector } from "../../src/connectors/managed.ts";
import { createPostgresConnector } from "../../src/connectors/postgres/postgres-connector.ts";
import { silentLogger } from "../../src/log/logger.ts";
import { startPostgres, type TestPostgres } from "../support/postgres.ts";
import { ctx, drain } from "./connection.suite.ts";
import { wantedValue, type ValueRule } from "./values.suite.ts";

const server: TestPostgres = await startPostgres({ tls: false });
const db = createManagedConnector(createPostgresConnector({
  adapter: "postgresql", host: server.host, port: server.port, database: server.database, username: server.user, password: server.password,
}, { log: silentLogger }), { profile: "pg", log: silentLogger });
afterAll(async () => {
  await db.close();
  await server.stop();
});

/**
 * One value per case. `text`: the JSON value is the server's text; `number`: the JSON
 * number reads back as the server's text does; otherwise `expected` is exactly the value.
 */
type Case = { sql: string; type: string } & ValueRule;
const CASES: Case[] = [
  { sql: "32767::int2", type: "int2", number: true },
  { sql: "(-2147483648)::int4", type: "int4", number: true },
  { sql: "9007199254740993::int8", type: "int8", text: true },
  { sql: "(-9223372036854775808)::int8", type: "int8", text: true },
  { sql: "123456789012345678901234567890.000000000000000000001::numeric", type: "numeric", text: true },
  { sql: "0.1000000000000000000001::numeric(30,22)", type: "numeric", text: true },
  { sql: "'NaN'::numeric", type: "numeric", text: true },
  { sql: "3.14159::float4", type: "float4", number: true },
  { sql: "16777217::float4", type: "float4", number: true },
  { sql: "1e-45::float4", type: "float4", number: true },
  { sql: "0.1::float8", type: "float8", number: true },
  { sql: "1e100::float8", type: "float8", number: true },
  { sql: "5e-324::float8", type: "float8", number: true },
  { sql: "'NaN'::float8", type: "float8", text: true },
  { sql: "'Infinity'::float4", type: "float4", text: true },
  { sql: "'-Infinity'::float8", type: "float8", text: true },
  { sql: "true", type: "bool", expected: true },
  { sql: "'-1234567.89'::money", type: "money", expected: "-1234567.89" },
  { sql: "'92233720368547758.07'::money", type: "money", expected: "92233720368547758.07" },
  { sql: "'a'::char(3)", type: "bpchar", expected: "a  " }, // ::text drops a char's padding; the column keeps it
  { sql: "'é  '::varchar(5)", type: "varchar", text: true },
  { sql: "E'line\\nbreak'::text", type: "text", text: true },
  { sql: "'\\x00ff10'::bytea", type: "bytea", expected: "AP8Q" },
  { sql: "'2024-02-29'::date", type: "date", text: true },
  { sql: "'0044-03-15 BC'::date", type: "date", expected: "-0043-03-15" },
  { sql: "'0001-01-01 BC'::date", type: "date", expected: "0000-01-01" },
  { sql: "'4713-01-01 BC'::date", type: "date", expected: "-4712-01-01" },
  { sql: "'10000-01-01'::date", type: "date", text: true },
  { sql: "'infinity'::date", type: "date", text: true },
  { sql: "'-infinity'::timestamptz", type: "timestamptz", text: true },
  { sql: "'infinity'::timestamp", type: "timestamp", text: true },
  { sql: "'2024-01-31 12:34:56.123456+02'::timestamptz", type: "timestamptz", expected: "2024-01-31T10:34:56.123456+00:00" },
  { sql: "'0044-03-15 12:00:00.5+00 BC'::timestamptz", type: "timestamptz", expected: "-0043-03-15T12:00:00.5+00:00" },
  { sql: "'0044-03-15 12:00 BC'::timestamp", type: "timestamp", expected: "-0043-03-15T12:00:00" },
  { sql: "'23:59:59.999999'::time", type: "time", text: true },
  { sql: "'12:00+02'::timetz", type: "timetz", text: true },
  { sql: "'1 year 2 mons 3 days 04:05:06.5'::interval", type: "interval", expected: "P1Y2M3DT4H5M6.5S" },
  { sql: "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid", type: "uuid", text: true },
  { sql: `'{"a": 9007199254740993, "a": 0.1000000000000000000001,  "n": 123456789012345678901234567890}'::json`, type: "json", text: true },
  { sql: `'{"big": 9007199254740993, "dec": 0.1000000000000000000001, "n": 123456789012345678901234567890}'::jsonb`, type: "jsonb", text: true },
  { sql: "'null'::jsonb", type: "jsonb", expected: "null" },
  { sql: "'null'::json", type: "json", expected: "null" },
  { sql: "'10.1.2.3/8'::inet", type: "inet", text: true },
  { sql: "'10.0.0.0/8'::cidr", type: "cidr", text: true },
  { sql: "B'10110'::bit(5)", type: "bit", text: true },
  { sql: "B'101'::varbit", type: "varbit", text: true },
  { sql: "'sad'::mood", type: "mood", text: true },
  { sql: "array[1, null, 3]::int4[]", type: "_int4", expected: [1, null, 3] },
  { sql: "array[9007199254740993]::int8[]", type: "_int8", expected: ["9007199254740993"] },
  { sql: "array[3.14159, 'NaN']::float4[]", type: "_float4", expected: [3.14159, "NaN"] },
  { sql: "array['1.5', '-2']::money[]", type: "_money", expected: ["1.50", "-2.00"] },
  { sql: `array['{"a": 9007199254740993}', 'null']::jsonb[]`, type: "_jsonb", expected: ['{"a": 9007199254740993}', "null"] },
  { sql: "array['0044-03-15 BC', '2024-01-31']::date[]", type: "_date", expected: ["-0043-03-15", "2024-01-31"] },
  { sql: "array['ok', 'sad']::mood[]", type: "_mood", expected: ["ok", "sad"] },
];

async function one(sql: string): Promise<{ columns: { name: string; type: string }[]; row: Row }> {
  const result = await db.query({ sql }, ctx());
  const rows = await drain(Promise.resolve(result));
  return { columns: result.columns, row: rows[0]! };
}

describe("postgresql values", () => {
  beforeAll(async () => {
    await db.execute({ sql: "create type mood as enum ('ok', 'sad')" }, ctx());
  });

  test("every type reads as the value table says, checked against the server's own text", async () => {
    const values = await one(`select ${CASES.map((c, i) => `${c.sql} as c${i}`).join(", ")}`);
    const texts = await one(`select ${CASES.map((c, i) => `(${c.sql})::text as c${i}`).join(", ")}`);
    const seen = CASES.map((c, i) => ({ sql: c.sql, type: values.columns[i]!.type, value: values.row[`c${i}`] }));
    const wanted = CASES.map((c, i) => {
      const text = texts.row[`c${i}`] as string;
      const value = wantedValue(c, text);
      return { sql: c.sql, type: c.type, value };
    });
    expect(seen).toEqual(wanted);
  });

  test("JSON documents keep their numbers, duplicate keys and spacing; JSON null is not SQL NULL", async () => {
    const { row } = await one(`select '{"n": 123456789012345678901234567890, "n": 1}'::json as j, 'null'::jsonb as jn, null::jsonb as sqlnull`);
    expect(row).toEqual({ j: '{"n": 123456789012345678901234567890, "n": 1}', jn: "null", sqlnull: null });
  });

  test("the database's own settings cannot round floats or change the money and bytea forms", async () => {
    await server.psql(`alter database ${server.database} set extra_float_digits = 0; alter database ${server.database} set bytea_output = 'escape'`);
    const fresh = createManagedConnector(createPostgresConnector({
      adapter: "postgresql", host: server.host, port: server.port, database: server.database, username: server.user, password: server.password,
    }, { log: silentLogger }), { profile: "pg-conf", log: silentLogger });
    try {
      const rows = await drain(fresh.query({ sql: "select 0.1::float8 + 0.2 as f, 3.14159265::float4 as f4, '\\x00ff'::bytea as b, '7'::money as m" }, ctx()));
      expect(rows).toEqual([{ f: 0.30000000000000004, f4: 3.1415927, b: "AP8=", m: "7.00" }]);
    } finally {
      await fresh.close();
      await server.psql(`alter database ${server.database} reset all`);
    }
  });
});
