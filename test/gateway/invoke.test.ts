/**
 * The invoke API end to end inside one process: real TLS gateway, agents activated and
 * connected over the real WebSocket, SQLite and files profiles on real temp files.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, writeFileSync, existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { freePort } from "../support/ports.ts";
import { startStack, type Stack } from "../support/stack.ts";

let stack: Stack;
let healthPort: number;

beforeAll(async () => {
  healthPort = await freePort();
  stack = await startStack({
    extraConfig: `agent:\n  health:\n    port: ${healthPort}\n`,
    profiles: (dir) => {
      mkdirSync(join(dir, "share"), { recursive: true });
      writeFileSync(join(dir, "share", "hello.txt"), "hello from the agent\n");
      return `databases:
  main:
    adapter: sqlite
    path: ${join(dir, "main.db")}
files:
  share:
    base: ${join(dir, "share")}
`;
    },
  });
  await stack.addAgent("alpha");
});

afterAll(async () => {
  await stack.stop();
});

describe("database operations through the gateway", () => {
  test("execute, batch and query return what SQLite holds", async () => {
    let response = await stack.call(`/v1/groups/sales/db/main/execute`, {
      method: "POST",
      body: JSON.stringify({ sql: "create table items (id integer primary key, name text, price real)" }),
    });
    expect(response.status).toBe(200);
    response = await stack.call(`/v1/groups/sales/db/main/batch`, {
      method: "POST",
      body: JSON.stringify({ sql: "insert into items (name, price) values (?, ?)", rows: [["apple", 1.5], ["pear", 2.25], ["plum", 0.5]] }),
    });
    expect(await response.json()).toEqual({ rowsAffected: 3 });
    response = await stack.call(`/v1/groups/sales/db/main/query`, {
      method: "POST",
      body: JSON.stringify({ sql: "select name, price from items where price > ? order by name", params: [1] }),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { columns: { name: string }[]; rows: unknown[]; rowCount: number; truncated: boolean };
    expect(body.columns.map((c) => c.name)).toEqual(["name", "price"]);
    expect(body.rows).toEqual([{ name: "apple", price: 1.5 }, { name: "pear", price: 2.25 }]);
    expect(body.rowCount).toBe(2);
    expect(body.truncated).toBe(false);
    expect(response.headers.get("x-outpost-agent")).toBe("alpha");
    expect(response.headers.get("x-request-id")).toBeTruthy();
  });

  test("NDJSON streams columns, one array per row, and a summary", async () => {
    const response = await stack.call(`/v1/groups/sales/db/main/query`, {
      method: "POST",
      headers: { accept: "application/x-ndjson" },
      body: JSON.stringify({ sql: "with recursive n(i) as (select 1 union all select i + 1 from n where i < 5000) select i from n", maxRows: 4000 }),
    });
    expect(response.headers.get("content-type")).toContain("application/x-ndjson");
    const lines = (await response.text()).trim().split("\n").map((line) => JSON.parse(line));
    expect(lines[0]).toEqual({ columns: [{ name: "i", type: expect.any(String) }] });
    expect(lines.length).toBe(4002);
    expect(lines[1]).toEqual([1]);
    expect(lines[4000]).toEqual([4000]);
    expect(lines.at(-1)).toEqual({ rowCount: 4000, truncated: true });
  });

  test("an SQL error comes back as QUERY_FAILED with the request id", async () => {
    const response = await stack.call(`/v1/groups/sales/db/main/query`, {
      method: "POST",
      headers: { "x-request-id": "req-syntax-1" },
      body: JSON.stringify({ sql: "selec nothing" }),
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { code: string; requestId: string; retryable: boolean } };
    expect(body.error.code).toBe("QUERY_FAILED");
    expect(body.error.requestId).toBe("req-syntax-1");
    expect(body.error.retryable).toBe(false);
  });

  test("arguments too large for one request are 413 TOO_LARGE, not retryable, and nothing runs", async () => {
    const rows = Array.from({ length: 3000 }, (_, i) => [i, "x".repeat(40)]);
    const response = await stack.call(`/v1/groups/sales/db/main/batch`, {
      method: "POST",
      body: JSON.stringify({ sql: "insert into never_created (id, name) values (?, ?)", rows }),
    });
    const body = (await response.json()) as { error: { code: string; message: string; retryable: boolean } };
    expect(response.status).toBe(413);
    expect(body.error).toMatchObject({ code: "TOO_LARGE", retryable: false });
    expect(body.error.message).toMatch(/^the request's arguments take \d+ bytes; one request carries at most \d+$/);
  });

  test("an unknown profile is 404, an unknown group is 404", async () => {
    let response = await stack.call(`/v1/groups/sales/db/nope/query`, { method: "POST", body: JSON.stringify({ sql: "select 1" }) });
    expect(response.status).toBe(404);
    response = await stack.call(`/v1/groups/nogroup/db/main/query`, {
      method: "POST",
      body: JSON.stringify({ sql: "select 1" }),
      token: stack.adminToken,
    });
    expect(response.status).toBe(404);
  });
});

describe("files through the gateway", () => {
  test("list, download with a range, upload, and delete", async () => {
    let response = await stack.call(`/v1/groups/sales/files/share/`);
    expect(response.status).toBe(200);
    const listing = (await response.json()) as { entries: { name: string; size: number }[] };
    expect(listing.entries.map((e) => e.name)).toContain("hello.txt");

    response = await stack.call(`/v1/groups/sales/files/share/hello.txt`);
    expect(await response.text()).toBe("hello from the agent\n");

    response = await stack.call(`/v1/groups/sales/files/share/hello.txt`, { headers: { range: "bytes=6-9" } });
    expect(response.status).toBe(206);
    expect(await response.text()).toBe("from");
    expect(response.headers.get("content-range")).toBe("bytes 6-9/21");

    const payload = new Uint8Array(3 * 1024 * 1024).map((_, i) => i % 251);
    response = await stack.call(`/v1/groups/sales/files/share/upload.bin`, { method: "PUT", body: payload });
    expect(response.status).toBe(201);
    const onDisk = readFileSync(join(stack.agents[0]!.dir, "share", "upload.bin"));
    expect(onDisk.equals(Buffer.from(payload))).toBe(true);

    response = await stack.call(`/v1/groups/sales/files/share/upload.bin`, { method: "DELETE" });
    expect(response.status).toBe(204);
    expect(existsSync(join(stack.agents[0]!.dir, "share", "upload.bin"))).toBe(false);
  });

  test("a path escape is refused and touches nothing", async () => {
    const response = await stack.call(`/v1/groups/sales/files/share/..%2F..%2Fetc%2Fpasswd`);
    expect(response.status).toBe(403);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("FORBIDDEN_PATH");
    expect(readdirSync(join(stack.agents[0]!.dir, "share"))).toEqual(["hello.txt"]);
  });
});

describe("tokens", () => {
  test("no token is 401; a token for another group is 403", async () => {
    let response = await fetch(`https://localhost:${stack.gateway.port}/v1/groups/sales/db/main/query`, {
      method: "POST",
      body: "{}",
      tls: { ca: stack.ca.certPem },
    });
    expect(response.status).toBe(401);
    await stack.admin.createGroup("other");
    const other = (await stack.admin.createToken({ name: "other-caller", groups: ["other"] })).secret;
    response = await stack.call(`/v1/groups/sales/db/main/query`, { method: "POST", body: JSON.stringify({ sql: "select 1" }), token: other });
    expect(response.status).toBe(403);
  });
});

describe("operations endpoints", () => {
  test("the agent's local health endpoint says ready while connected", async () => {
    const response = await fetch(`http://127.0.0.1:${healthPort}/ready`);
    expect(response.status).toBe(200);
    expect(((await response.json()) as { state: string }).state).toBe("connected");
  });

  test("metrics count requests by group, operation and outcome", async () => {
    const response = await stack.call("/metrics");
    const text = await response.text();
    expect(text).toMatch(/outpost_requests_total\{group="sales",op="db.query",outcome="ok"\} [1-9]/);
    expect(text).toMatch(/outpost_requests_total\{group="sales",op="db.query",outcome="client_error"\} [1-9]/);
    expect(text).toContain("outpost_request_duration_seconds_bucket");
  });

  test("healthz needs no token", async () => {
    const response = await fetch(`https://localhost:${stack.gateway.port}/healthz`, { tls: { ca: stack.ca.certPem } });
    expect(await response.json()).toEqual({ status: "ok" });
  });
});
