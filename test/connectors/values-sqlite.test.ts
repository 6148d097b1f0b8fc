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
import { wantedValue, type ValueRule } from "./values.suite.ts";

const db = createManagedConnector(new SqliteConnector({ path: ":memory:" }), { profile: "lite", log: silentLogger });
afterAll(() => db.close());

type Case = { sql: string } & ValueRule;
const CASES: Case[] = [
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
