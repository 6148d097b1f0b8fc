/**
 * @module
 * The value cases of each backend, one column type (or storage class) per case, shared by
 * the connector value tests (values-*.test.ts) and the row-form tests through the gateway
 * (test/gateway/rows-*.test.ts): a type the connectors return is listed once.
 */
import type { JsonValue } from "../../src/connectors/connector.ts";
import type { CellValue, ColumnSpec } from "../support/tds-server/tokens.ts";
import type { ValueRule } from "./values.suite.ts";

/**
 * One value per case. `text`: the JSON value is the server's text; `number`: the JSON
 * number reads back as the server's text does; otherwise `expected` is exactly the value.
 */
export type PostgresCase = { sql: string; type: string } & ValueRule;
export const POSTGRES_CASES: PostgresCase[] = [
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

/** A column, a value for it, and how it reads: `text` as the server's text, `number` as a number equal to it, or exactly `expected`. */
export type MysqlCase = { column: string; value: string; type: string } & ValueRule;
export const MYSQL_CASES: MysqlCase[] = [
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

export type SqliteCase = { sql: string } & ValueRule;
export const SQLITE_CASES: SqliteCase[] = [
  { sql: "9007199254740991", number: true },
  { sql: "9007199254740993", text: true },
  { sql: "-9223372036854775808", text: true },
  { sql: "0.1", number: true },
  { sql: "1e308 * 10", expected: "Infinity" },
  { sql: "-1e308 * 10", expected: "-Infinity" },
  { sql: "'é  '", text: true },
  { sql: `'{"big": 9007199254740993, "big": 1,  "dec": 0.1000000000000000000001}'`, text: true },
  { sql: "json('null')", expected: "null" },
  { sql: "x'00ff10'", expected: "AP8Q" },
  { sql: "null", expected: null },
];

/** A column as the server sends it, SQL Server's own text of the value, and the JSON expected (defaults to that text). */
export type SqlServerCase = { column: ColumnSpec["type"]; scale?: number; cell: CellValue; text: string; expected?: JsonValue };
export const SQLSERVER_CASES: SqlServerCase[] = [
  { column: "int", cell: -2147483648, text: "-2147483648", expected: -2147483648 },
  { column: "bigint", cell: "9007199254740993", text: "9007199254740993" },
  { column: "decimal", scale: 2, cell: "1234567890123.45", text: "1234567890123.45" },
  { column: "float", cell: 0.1, text: "0.1", expected: 0.1 },
  { column: "real", cell: 3.14159, text: "3.14159", expected: 3.14159 },
  { column: "real", cell: 16777217, text: "1.67772e+07", expected: 16777216 },
  // SQL Server prints money with 2 decimals by default and 4 with style 2; the type holds 4.
  { column: "money", cell: "-1234567.89", text: "-1234567.8900" },
  // tedious decodes money and decimal through a double: exact up to 15 significant digits (docs/connectors.md).
  { column: "money", cell: "92233720368.5477", text: "92233720368.5477" },
  { column: "bit", cell: true, text: "1", expected: true },
  { column: "nvarchar", cell: "é  ", text: "é  " },
  { column: "nvarchar", cell: '{"big": 9007199254740993, "big": 1}', text: '{"big": 9007199254740993, "big": 1}' },
  { column: "uniqueidentifier", cell: "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11", text: "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11" },
  { column: "datetime2", scale: 7, cell: new Date("0001-01-01T00:00:00Z"), text: "0001-01-01 00:00:00.0000000", expected: "0001-01-01T00:00:00.0000000Z" },
  { column: "varbinary", cell: Buffer.from([0x00, 0xff, 0x10]), text: "0x00FF10", expected: "AP8Q" },
];
