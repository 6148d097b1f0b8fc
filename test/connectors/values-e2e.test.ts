/**
 * @module
 * Values end to end: a PostgreSQL row with a jsonb document of big numbers, floats and a
 * column named like an array index goes through a real gateway and agent as JSON and as
 * NDJSON. Every value arrives with the same bytes in both formats, the document as the
 * server's text, and the columns in their order.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { startPostgres, type TestPostgres } from "../support/postgres.ts";
import { startStack, type Stack } from "../support/stack.ts";
import { databaseProfileYaml } from "../support/database-server.ts";

let stack: Stack;
let pg: TestPostgres;

beforeAll(async () => {
  pg = await startPostgres({ tls: false });
  stack = await startStack({
    profiles: () => `
databases:
${databaseProfileYaml("pg", "postgresql", pg)}`,
  });
  await stack.addAgent("alpha");
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  await pg?.stop();
});

const SQL = `select '{"big": 9007199254740993, "dec": 0.1000000000000000000001}'::jsonb as doc, 3.14159::float4 as f4,
  0.1::float8 as f8, 'NaN'::float8 as nan, 123456789012345678901234567890::numeric as n, 'x' as b, 'y' as "1"`;
/** Each column's name and its value's bytes, as both formats must write them. */
const EXPECTED: [string, string][] = [
  ["doc", String.raw`"{\"big\": 9007199254740993, \"dec\": 0.1000000000000000000001}"`],
  ["f4", "3.14159"],
  ["f8", "0.1"],
  ["nan", '"NaN"'],
  ["n", '"123456789012345678901234567890"'],
  ["b", '"x"'],
  ["1", '"y"'],
];

test("a row's values have the same bytes in JSON and NDJSON, jsonb as the server's text, columns in order", async () => {
  const query = (accept: string) => stack.call("/v1/groups/sales/db/pg/query", { method: "POST", body: JSON.stringify({ sql: SQL }), headers: { accept } });
  const json = await (await query("application/json")).text();
  const ndjson = (await (await query("application/x-ndjson")).text()).split("\n");
  const object = `{${EXPECTED.map(([name, value]) => `${JSON.stringify(name)}:${value}`).join(",")}}`;
  expect(json).toContain(`"rows":[${object}]`);
  expect(ndjson[1]).toBe(`[${EXPECTED.map(([, value]) => value).join(",")}]`);
  expect(JSON.parse(ndjson[0]!).columns.map((c: { name: string }) => c.name)).toEqual(EXPECTED.map(([name]) => name));
});
