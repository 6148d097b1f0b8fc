/**
 * @module
 * `agent.max_request_size` through a real gateway and agent: a forwarded HTTP body or a
 * request's arguments past it are refused with TOO_LARGE (HTTP 413) naming the setting,
 * and the backend never sees the cut body; smaller ones pass, and file uploads are not
 * capped by it (they have their own flow control and disk checks).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { startStack, type Stack } from "../support/stack.ts";

let stack: Stack;
let backend: ReturnType<typeof Bun.serve>;
const seen: number[] = [];

beforeAll(async () => {
  backend = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: async (request) => {
      const body = await request.text();
      seen.push(body.length);
      return Response.json({ length: body.length });
    },
  });
  stack = await startStack({
    profiles: (dir) => {
      mkdirSync(join(dir, "inbox"), { recursive: true });
      return `
http:
  app:
    base_url: http://127.0.0.1:${backend.port}/
databases:
  local:
    adapter: sqlite
    path: ${join(dir, "local.db")}
files:
  inbox:
    base: ${join(dir, "inbox")}
`;
    },
    extraConfig: "agent:\n  max_request_size: 1000\n",
  });
  await stack.addAgent("a1");
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  backend?.stop(true);
});

async function errorOf(response: Response) {
  return { status: response.status, ...((await response.json()) as { error: { code: string; message: string } }).error };
}

test("a forwarded body past the cap is TOO_LARGE and the backend gets nothing", async () => {
  const small = await stack.call("/v1/groups/sales/http/app/echo", { method: "POST", body: "x".repeat(900) });
  expect(await small.json()).toEqual({ length: 900 });
  const before = seen.length;
  const large = await stack.call("/v1/groups/sales/http/app/echo", { method: "POST", body: "x".repeat(200_000) });
  expect(await errorOf(large)).toMatchObject({ status: 413, code: "TOO_LARGE", message: expect.stringContaining("agent.max_request_size") });
  expect(seen.slice(before).filter((length) => length === 200_000)).toEqual([]);
});

test("arguments past the cap are TOO_LARGE before the database is asked", async () => {
  const ok = await stack.call("/v1/groups/sales/db/local/query", { method: "POST", body: JSON.stringify({ sql: "select 1 as one" }) });
  expect(ok.status).toBe(200);
  const sql = `select 1 as one -- ${"padding ".repeat(200)}`;
  const large = await stack.call("/v1/groups/sales/db/local/query", { method: "POST", body: JSON.stringify({ sql }) });
  expect(await errorOf(large)).toMatchObject({ status: 413, code: "TOO_LARGE", message: expect.stringContaining("agent.max_request_size is 1000") });
});

test("file uploads are not capped by it", async () => {
  const upload = await stack.call("/v1/groups/sales/files/inbox/big.bin", { method: "PUT", body: new Uint8Array(50_000) });
  expect(upload.status).toBeLessThan(300);
});
