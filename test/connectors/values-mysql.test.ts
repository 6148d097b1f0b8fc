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
import { wantedValue } from "./values.suite.ts";
import { MYSQL_CASES as CASES } from "./values-cases.ts";

const server: TestMariaDb = await startMariaDb({ tls: false });
const db = createManagedConnector(createMysqlConnector({
  adapter: "mysql", host: server.host, port: server.port, database: server.database, username: server.user, password: server.password,
}, { log: silentLogger }), { profile: "my", log: silentLogger });
afterAll(async () => {
  await db.close();
  await server.stop();
});


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
