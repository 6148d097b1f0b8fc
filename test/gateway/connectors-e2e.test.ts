/**
 * Every connector behind the gateway's invoke API, end to end: a caller's HTTP request
 * goes to a real TLS gateway, down the tunnel to an agent, to a real PostgreSQL and
 * MariaDB (TLS on), the SQL Server stand-in (TDS over TLS; no real SQL Server runs here),
 * a real HTTP server, a script and an extension — and the answer is checked.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Server } from "bun";
import { createTestCa } from "../support/certs.ts";
import { startMariaDb, type TestMariaDb } from "../support/mariadb.ts";
import { startPostgres, type TestPostgres } from "../support/postgres.ts";
import { startStack, type Stack } from "../support/stack.ts";
import { startTdsServer, type TdsServer } from "../support/tds-server/index.ts";

let stack: Stack;
let pg: TestPostgres;
let maria: TestMariaDb;
let tds: TdsServer;
let backend: Server<undefined>;
const EXTENSION = resolve(import.meta.dir, "../../docs/examples/hello-extension.ts");

beforeAll(async () => {
  [pg, maria] = await Promise.all([startPostgres({ tls: true }), startMariaDb({ tls: true })]);
  const ca = createTestCa();
  const leaf = ca.issue("sqlserver", { dns: [], ips: ["127.0.0.1"] });
  tds = await startTdsServer({ users: { outpost: "tds-pass" }, tls: { cert: leaf.certPem, key: leaf.keyPem } });
  tds.on("select @p1 + 1 as next", ({ params }) => ({
    columns: [{ name: "next", type: "int" }],
    rows: [[Number(params.p1) + 1]],
  }));
  tds.procedure("dbo.add_one", ({ params }) => ({
    resultSets: [],
    outputs: { result: { type: "int", value: Number(params.find((p) => p.name === "n")?.value) + 1 } },
  }));
  backend = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: async (request) => {
      const url = new URL(request.url);
      return Response.json({ method: request.method, path: url.pathname, query: url.search, body: await request.text(), auth: request.headers.get("authorization") });
    },
  });
  stack = await startStack({
    profiles: (dir) => {
      mkdirSync(join(dir, "inbox"), { recursive: true });
      return `
databases:
  pg:
    adapter: postgresql
    host: 127.0.0.1
    port: ${pg.port}
    database: ${pg.database}
    username: ${pg.user}
    password: ${pg.password}
    ssl: { mode: verify-full, ca: ${pg.caPath} }
  pg_quick:
    adapter: postgresql
    host: 127.0.0.1
    port: ${pg.port}
    database: ${pg.database}
    username: ${pg.user}
    password: ${pg.password}
    query_timeout: 1
  maria:
    adapter: mysql
    host: 127.0.0.1
    port: ${maria.port}
    database: ${maria.database}
    username: ${maria.user}
    password: ${maria.password}
    ssl: { mode: verify-full, ca: ${maria.caPath} }
  mssql:
    adapter: sqlserver
    host: 127.0.0.1
    port: ${tds.port}
    database: outpost
    username: outpost
    password: tds-pass
    ssl: { mode: verify-full, ca: ${ca.certPath} }
files:
  inbox:
    base: ${join(dir, "inbox")}
http:
  erp:
    base_url: http://127.0.0.1:${backend.port}/api/
    headers: { x-from: outpost }
scripts:
  tools:
    commands:
      echo:
        argv: ["/bin/echo", "{msg}"]
        params: { msg: { type: string } }
extensions:
  hello:
    module: ${EXTENSION}
    config: { greeting: Hej }
`;
    },
  });
  await stack.addAgent("alpha");
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  backend?.stop(true);
  await tds?.stop();
  await Promise.all([pg?.stop(), maria?.stop()]);
});

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  stack.call(`/v1/groups/sales/${path}`, { method: "POST", body: JSON.stringify(body), headers });

async function json<T>(response: Response | Promise<Response>): Promise<T> {
  const answer = await response;
  const text = await answer.text();
  if (!answer.ok) throw new Error(`${answer.status}: ${text}`);
  return JSON.parse(text) as T;
}

describe.each([
  { profile: "pg", placeholder: (i: number) => `$${i}`, bigint: "int8" },
  { profile: "maria", placeholder: () => "?", bigint: "bigint" },
])("$profile through the gateway", ({ profile, placeholder: p }) => {
  test("execute, batch (one transaction), query JSON and NDJSON", async () => {
    await json(post(`db/${profile}/execute`, { sql: "create table items (id bigint primary key, name varchar(50))" }));
    const batch = await json<{ rowsAffected: number }>(post(`db/${profile}/batch`, {
      sql: `insert into items (id, name) values (${p(1)}, ${p(2)})`,
      rows: [[1, "one"], [2, "two"], ["9007199254740993", "big"]],
    }));
    expect(batch.rowsAffected).toBe(3);
    const failed = await post(`db/${profile}/batch`, { sql: `insert into items (id, name) values (${p(1)}, ${p(2)})`, rows: [[4, "four"], [1, "dup"]] });
    expect(failed.status).toBe(400);
    const result = await json<{ rows: { id: string; name: string }[]; rowCount: number }>(
      post(`db/${profile}/query`, { sql: `select id, name from items where id > ${p(1)} order by id`, params: [1] }),
    );
    expect(result.rows).toEqual([{ id: "2", name: "two" }, { id: "9007199254740993", name: "big" }]);
    const stream = await post(`db/${profile}/query`, { sql: "select id from items order by id", maxRows: 2 }, { accept: "application/x-ndjson" });
    const lines = (await stream.text()).trim().split("\n").map((line) => JSON.parse(line));
    expect(lines.slice(1)).toEqual([["1"], ["2"], { rowCount: 2, truncated: true }]);
    const executed = await json<{ rowsAffected: number }>(post(`db/${profile}/execute`, { sql: `delete from items where id = ${p(1)}`, params: [2] }));
    expect(executed.rowsAffected).toBe(1);
  });

  test("a syntax error is 400 QUERY_FAILED", async () => {
    const response = await post(`db/${profile}/query`, { sql: "selec 1" });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("QUERY_FAILED");
  });
});

test("query_timeout bounds a call even when the caller's deadline is later", async () => {
  // Without the profile's 1 s bound this would run its 20 s within the caller's 60 s and answer 200.
  const response = await post("db/pg_quick/query", { sql: "select pg_sleep(20)", timeoutMs: 60_000 });
  const body = (await response.json()) as { error: { code: string } };
  expect([response.status, body.error.code]).toEqual([504, "TIMEOUT"]);
});

describe("stored procedures through the gateway", () => {
  test("PostgreSQL: a procedure with INOUT and OUT parameters", async () => {
    await json(post("db/pg/execute", {
      sql: "create procedure add_one(inout n int4, out label text) language plpgsql as $$ begin n := n + 1; label := 'was ' || (n - 1); end $$",
    }));
    const result = await json<{ outputs: Record<string, unknown> }>(post("db/pg/call", { procedure: "add_one", params: { n: 41, label: { out: true, type: "text" } } }));
    expect(result.outputs).toEqual({ n: 42, label: "was 41" });
  });

  test("SQL Server (stand-in): query with a bound parameter and a procedure with an output parameter", async () => {
    const query = await json<{ rows: unknown[] }>(post("db/mssql/query", { sql: "select @p1 + 1 as next", params: [41] }));
    expect(query.rows).toEqual([{ next: 42 }]);
    const call = await json<{ outputs: Record<string, unknown> }>(post("db/mssql/call", { procedure: "dbo.add_one", params: { n: 1, result: { out: true, type: "int" } } }));
    expect(call.outputs.result).toBe(2);
  });
});

describe("http, scripts and extensions through the gateway", () => {
  test("HTTP forwards method, path, query and body; the caller's token is not forwarded", async () => {
    const response = await stack.call("/v1/groups/sales/http/erp/orders/7?full=1", { method: "PUT", body: "payload" });
    const echoed = (await response.json()) as Record<string, string | null>;
    expect(echoed).toEqual({ method: "PUT", path: "/api/orders/7", query: "?full=1", body: "payload", auth: null });
  });

  test("HTTP refuses to leave the base URL", async () => {
    const response = await stack.call("/v1/groups/sales/http/erp/..%2f..%2fadmin");
    expect(response.status).toBe(403);
  });

  test("a script gets shell metacharacters as one literal argument", async () => {
    const msg = "; rm -rf / $(id) `x` | & > <";
    const result = await json<{ exitCode: number; stdout: string }>(post("scripts/tools/echo", { params: { msg } }));
    expect(result).toMatchObject({ exitCode: 0, stdout: `${msg}\n` });
  });

  test("the extension answers with its own config", async () => {
    const response = await stack.call("/v1/groups/sales/ext/hello/greet?name=Ada");
    expect(((await response.json()) as { message: string }).message).toBe("Hej, Ada!");
  });
});

describe("files through the gateway", () => {
  test("an upload cut off halfway leaves no file and no temp file", async () => {
    const inbox = join(stack.agents[0]!.dir, "inbox");
    const controller = new AbortController();
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      async pull(stream) {
        if (sent >= 2 * 1024 * 1024) {
          controller.abort();
          return;
        }
        sent += 256 * 1024;
        stream.enqueue(new Uint8Array(256 * 1024).fill(65));
        await Bun.sleep(5);
      },
    });
    const outcome = await stack
      .call("/v1/groups/sales/files/inbox/cut.bin", { method: "PUT", body, signal: controller.signal, duplex: "half" } as RequestInit)
      .then((response) => response.status, (error: Error) => error.name);
    expect(outcome).toBe("AbortError");
    await Bun.sleep(500);
    expect(existsSync(join(inbox, "cut.bin"))).toBe(false);
    expect(readdirSync(inbox)).toEqual([]);
  });

  test("mkdir, move, rename and poll", async () => {
    expect((await stack.call("/v1/groups/sales/files/inbox/in/new?op=mkdir", { method: "POST" })).status).toBe(201);
    await stack.call("/v1/groups/sales/files/inbox/a.csv", { method: "PUT", body: "x,y\n" });
    const moved = await json<{ path: string }>(stack.call("/v1/groups/sales/files/inbox/a.csv?op=move&to=in/new/a.csv", { method: "POST" }));
    expect(moved.path).toBe("in/new/a.csv");
    const renamed = await json<{ path: string }>(stack.call("/v1/groups/sales/files/inbox/in/new/a.csv?op=rename&to=b.csv", { method: "POST" }));
    expect(renamed.path).toBe("in/new/b.csv");
    const polled = await json<{ entries: { name: string }[] }>(stack.call("/v1/groups/sales/files/inbox/in/new?op=poll&pattern=*.csv", { method: "POST" }));
    expect(polled.entries).toHaveLength(1);
    expect(polled.entries[0]!.name).toMatch(/^b\.csv\..+\.processing$/);
  });
});
