/**
 * @module
 * SQL Server values on their way to JSON, against the protocol-level TDS stand-in (no real
 * SQL Server runs here): the stand-in sends each value in its wire encoding, and the
 * connector's JSON is compared with what SQL Server prints for it (`CAST(x AS varchar)`,
 * written into the case) by the rule of the value table in docs/connectors.md.
 */
import { afterAll, describe, expect, test } from "bun:test";
import type { JsonValue } from "../../src/connectors/connector.ts";
import { createManagedConnector } from "../../src/connectors/managed.ts";
import { createSqlServerConnector } from "../../src/connectors/sqlserver/sqlserver-connector.ts";
import { silentLogger } from "../../src/log/logger.ts";
import { startTdsServer } from "../support/tds-server/index.ts";
import type { CellValue, ColumnSpec } from "../support/tds-server/tokens.ts";
import { ctx, drain } from "./connection.suite.ts";

/** A column as the server sends it, SQL Server's own text of the value, and the JSON expected (defaults to that text). */
type Case = { column: ColumnSpec["type"]; scale?: number; cell: CellValue; text: string; expected?: JsonValue };
const CASES: Case[] = [
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
const SQL = "select values_of_every_type";

const server = await startTdsServer({ users: { outpost: "s3cret-pass" } });
server.on(SQL, () => ({
  columns: CASES.map((c, i) => ({ name: `c${i}`, type: c.column, ...(c.scale === undefined ? {} : { scale: c.scale }) })),
  rows: [CASES.map((c) => c.cell)],
}));
const db = createManagedConnector(createSqlServerConnector({
  adapter: "sqlserver", host: "127.0.0.1", port: server.port, database: "outpost", username: "outpost", password: "s3cret-pass", ssl: { mode: "disable" },
}, { log: silentLogger }), { profile: "mssql", log: silentLogger });
afterAll(async () => {
  await db.close();
  await server.stop();
});

describe("sqlserver values", () => {
  test("every type reads as the value table says, checked against SQL Server's own text", async () => {
    const result = await db.query({ sql: SQL }, ctx());
    const row = (await drain(Promise.resolve(result)))[0]!;
    const seen = CASES.map((c, i) => ({ column: c.column, value: row[`c${i}`] }));
    expect(seen).toEqual(CASES.map((c) => ({ column: c.column, value: c.expected === undefined ? c.text : c.expected })));
    expect(result.columns.map((c) => c.type)).toEqual(["int", "bigint", "decimal", "float", "real", "real", "money", "money", "bit",
      "nvarchar", "nvarchar", "uniqueidentifier", "datetime2", "varbinary"]);
  });
});
