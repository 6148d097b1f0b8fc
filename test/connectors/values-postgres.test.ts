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
import { wantedValue } from "./values.suite.ts";
import { POSTGRES_CASES as CASES } from "./values-cases.ts";

const server: TestPostgres = await startPostgres({ tls: false });
const db = createManagedConnector(createPostgresConnector({
  adapter: "postgresql", host: server.host, port: server.port, database: server.database, username: server.user, password: server.password,
}, { log: silentLogger }), { profile: "pg", log: silentLogger });
afterAll(async () => {
  await db.close();
  await server.stop();
});


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
