/**
 * @module
 * SQL Server values on their way to JSON, against the protocol-level TDS stand-in (no real
 * SQL Server runs here): the stand-in sends each value in its wire encoding, and the
 * connector's JSON is compared with what SQL Server prints for it (`CAST(x AS varchar)`,
 * written into the case) by the rule of the value table in docs/connectors.md.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { createManagedConnector } from "../../src/connectors/managed.ts";
import { createSqlServerConnector } from "../../src/connectors/sqlserver/sqlserver-connector.ts";
import { silentLogger } from "../../src/log/logger.ts";
import { startTdsServer } from "../support/tds-server/index.ts";
import { ctx, drain } from "./connection.suite.ts";
import { SQLSERVER_CASES as CASES } from "./values-cases.ts";

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
