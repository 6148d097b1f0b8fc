/**
 * @module
 * SQLite values on their way to JSON: each storage class read through the connector and
 * compared with SQLite's own text of the value (`cast(x as text)`) by the rule of the
 * value table in docs/connectors.md.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { createManagedConnector } from "../../src/connectors/managed.ts";
import { SqliteConnector } from "../../src/connectors/sqlite/sqlite-connector.ts";
import { silentLogger } from "../../src/log/logger.ts";
import { ctx, drain } from "./connection.suite.ts";
import { wantedValue } from "./values.suite.ts";
import { SQLITE_CASES as CASES } from "./values-cases.ts";

const db = createManagedConnector(new SqliteConnector({ path: ":memory:" }), { profile: "lite", log: silentLogger });
afterAll(() => db.close());


describe("sqlite values", () => {
  test("every storage class reads as the value table says, checked against SQLite's own text", async () => {
    const row = (await drain(db.query({ sql: `select ${CASES.map((c, i) => `${c.sql} as c${i}`).join(", ")}` }, ctx())))[0]!;
    const texts = (await drain(db.query({ sql: `select ${CASES.map((c, i) => `cast(${c.sql} as text) as c${i}`).join(", ")}` }, ctx())))[0]!;
    const seen = CASES.map((c, i) => ({ sql: c.sql, value: row[`c${i}`] }));
    const wanted = CASES.map((c, i) => {
      const text = texts[`c${i}`] as string;
      return { sql: c.sql, value: wantedValue(c, text) };
    });
    expect(seen).toEqual(wanted);
  });
});
