/**
 * @module
 * The row forms round-trip every type the connectors return: one row holding each value
 * case of the connector value tests (values-cases.ts) — PostgreSQL, MariaDB, SQLite and
 * the SQL Server stand-in behind a real gateway and agent — read as a JSON document of
 * objects and of arrays, as NDJSON (default, `rows=arrays`, `rows=objects`), and through
 * the typed client as objects and as arrays, gives the same values in column order.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { startMariaDb, type TestMariaDb } from "../support/mariadb.ts";
import { startPostgres, type TestPostgres } from "../support/postgres.ts";
import { startStack, type Stack } from "../support/stack.ts";
import { startTdsServer, type TdsServer } from "../support/tds-server/index.ts";
import { MYSQL_CASES, POSTGRES_CASES, SQLITE_CASES, SQLSERVER_CASES } from "../connectors/values-cases.ts";
import { clientFor } from "../client/support.ts";
import { databaseProfileYaml } from "../support/database-server.ts";

let stack: Stack;
let pg: TestPostgres;
let maria: TestMariaDb;
let tds: TdsServer;
const TDS_SQL = "select values_of_every_type";

beforeAll(async () => {
  [pg, maria] = await Promise.all([startPostgres({ tls: false }), startMariaDb({ tls: false })]);
  tds = await startTdsServer({ users: { outpost: "tds-pass" } });
  tds.on(TDS_SQL, () => ({
    columns: SQLSERVER_CASES.map((c, i) => ({ name: `c${i}`, type: c.column, ...(c.scale === undefined ? {} : { scale: c.scale }) })),
    rows: [SQLSERVER_CASES.map((c) => c.cell)],
  }));
  stack = await startStack({
    profiles: (dir) => `
databases:
${["pg", "pg_arrays", "pg_objects"].map((name) => databaseProfileYaml(name, "postgresql", pg)).join("")}${databaseProfileYaml("maria", "mysql", maria)}  lite:
    adapter: sqlite
    path: ${join(dir, "lite.db")}
  mssql:
    adapter: sqlserver
    host: 127.0.0.1
    port: ${tds.port}
    database: outpost
    username: outpost
    password: tds-pass
    ssl: { mode: disable }
`,
  });
  await stack.addAgent("alpha");
  await expectOk(post("pg", "execute", { sql: "create type mood as enum ('ok', 'sad')" }));
  await expectOk(post("maria", "execute", { sql: `create table vals (${MYSQL_CASES.map((c, i) => `c${i} ${c.column}`).join(", ")}, none int)` }));
  await expectOk(post("maria", "execute", { sql: `insert into vals values (${MYSQL_CASES.map((c) => c.value).join(", ")}, null)` }));
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  await tds?.stop();
  await Promise.all([pg?.stop(), maria?.stop()]);
});

function post(profile: string, op: string, body: unknown, accept?: string): Promise<Response> {
  return stack.call(`/v1/groups/sales/db/${profile}/${op}`, { method: "POST", body: JSON.stringify(body), headers: accept ? { accept } : {} });
}

async function expectOk(answer: Promise<Response>): Promise<string> {
  const response = await answer;
  const text = await response.text();
  expect({ status: response.status, text }).toMatchObject({ status: 200 });
  return text;
}

type Column = { name: string; type: string };
type Document = { columns: Column[]; rows: unknown[]; rowCount: number; truncated: boolean };

const ndjson = (text: string) => text.trim().split("\n").map((line) => JSON.parse(line) as unknown);

const BACKENDS = [
  { profile: "pg", cases: POSTGRES_CASES.length, sql: `select ${POSTGRES_CASES.map((c, i) => `${c.sql} as c${i}`).join(", ")}` },
  { profile: "maria", cases: MYSQL_CASES.length + 1, sql: "select * from vals" },
  { profile: "lite", cases: SQLITE_CASES.length, sql: `select ${SQLITE_CASES.map((c, i) => `${c.sql} as c${i}`).join(", ")}` },
  { profile: "mssql", cases: SQLSERVER_CASES.length, sql: TDS_SQL },
];

describe.each(BACKENDS)("$profile", ({ profile, cases, sql }) => {
  test("JSON objects, JSON arrays and the three NDJSON forms carry the same values in column order", async () => {
    const document = JSON.parse(await expectOk(post(profile, "query", { sql }))) as Document;
    const names = document.columns.map((column) => column.name);
    expect(names).toHaveLength(cases);
    const object = document.rows[0] as Record<string, unknown>;
    expect(Object.keys(object)).toEqual(names);
    const values = names.map((name) => object[name]);

    const arrays = JSON.parse(await expectOk(post(profile, "query", { sql }, "application/json; rows=arrays"))) as Document;
    expect(arrays).toEqual({ columns: document.columns, rows: [values], rowCount: 1, truncated: false });

    const summary = { rowCount: 1, truncated: false };
    for (const accept of ["application/x-ndjson", "application/x-ndjson; rows=arrays"]) {
      expect(ndjson(await expectOk(post(profile, "query", { sql }, accept)))).toEqual([{ columns: document.columns }, values, summary]);
    }
    const objects = ndjson(await expectOk(post(profile, "query", { sql }, "application/x-ndjson; rows=objects")));
    expect(objects).toEqual([{ columns: document.columns }, object, summary]);
    expect(Object.keys(objects[1] as object)).toEqual(names);
  });

  test("the typed client gives the same row as objects and as arrays, streamed or whole", async () => {
    const db = clientFor(stack).group("sales").db(profile);
    const whole = await db.query(sql);
    const names = whole.columns.map((column) => column.name);
    const values: unknown[] = names.map((name) => whole.rows[0]![name]);
    expect(values).toHaveLength(cases);

    expect((await db.query(sql, [], { rows: "arrays" })).rows as unknown[]).toEqual([values]);
    expect(await db.stream(sql).toArray()).toEqual(whole.rows);
    const stream = db.stream(sql, [], { rows: "arrays" });
    expect((await stream.toArray()) as unknown[]).toEqual([values]);
    expect(await stream.columns).toEqual(whole.columns);
    expect(await stream.summary).toEqual({ rowCount: 1, truncated: false });
  });
});

test.each([
  { profile: "pg", form: "" },
  { profile: "pg_arrays", form: "; rows=arrays" },
  { profile: "pg_objects", form: "; rows=objects" },
])("PostgreSQL, NDJSON$form: a failure after the first batch still sends the first batch's rows before the error line", async ({ profile, form }) => {
  // The connector fetches 500 rows a batch; row 700 divides by zero. Each form has a profile
  // of its own: a query right after one that failed mid-cursor on the same PostgreSQL
  // profile trips a separate connector problem (reported), which this test is not about.
  const sql = "select g as v from generate_series(1, 1000) g where 1 / (700 - g) is not null or g = 700";
  const lines = ndjson(await expectOk(post(profile, "query", { sql }, `application/x-ndjson${form}`)));
  const rows = lines.slice(1, -1);
  expect(rows.length).toBeGreaterThanOrEqual(500);
  expect(rows.length).toBeLessThan(700);
  expect(rows).toEqual(Array.from({ length: rows.length }, (_, i) => (form.includes("objects") ? { v: i + 1 } : [i + 1])));
  expect(lines.at(-1)).toMatchObject({ error: { code: "QUERY_FAILED" }, rowCount: rows.length });
});
