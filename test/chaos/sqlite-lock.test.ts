/**
 * A SQLite write that waits for another process's write lock, with the compiled agent. The
 * wait (SQLite's busy timeout, 5 s) runs on the profile's worker thread, so the agent keeps
 * its link and serves other requests meanwhile. Before SQLite moved off the event loop, the
 * same wait froze the agent and the gateway declared the link dead after 4.5 s.
 */
import { Database } from "bun:sqlite";
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { startCompiledStack, type CompiledStack } from "./support/compiled-stack.ts";
import { metric } from "./support/measure.ts";

let stack: CompiledStack;

beforeAll(async () => {
  stack = await startCompiledStack();
  await stack.addAgent("solo", {
    profiles: "databases:\n  main:\n    adapter: sqlite\n    path: '{dir}/main.db'\nfiles:\n  share:\n    base: '{dir}/share'",
    prepare: (dir) => {
      mkdirSync(join(dir, "share"));
      const db = new Database(join(dir, "main.db"));
      db.run("create table t (v text)");
      db.close();
    },
  });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

async function connectedSince(): Promise<string | undefined> {
  const body = (await (await stack.call("/v1/groups/sales/agents")).json()) as { agents: { connection: { connectedSince: string } | null }[] };
  return body.agents[0]?.connection?.connectedSince;
}

const insert = (value: string) =>
  stack.call("/v1/groups/sales/db/main/execute", { method: "POST", body: JSON.stringify({ sql: "insert into t (v) values (?)", params: [value] }) });

test("a write waiting 5 s for another process's lock: the link stays up and other requests are served meanwhile", async () => {
  const since = await connectedSince();
  expect(since).toBeDefined();
  // Another process (this test) holds the write lock for longer than SQLite's busy timeout.
  const holder = new Database(join(stack.agents.get("solo")!.dir, "main.db"));
  holder.run("begin immediate");
  let settled = false;
  const waiting = insert("waits").then(async (response) => ((settled = true), { status: response.status, body: (await response.json()) as any }));
  const during: number[] = [];
  const started = performance.now();
  while (!settled && performance.now() - started < 20_000) {
    during.push((await stack.call("/v1/groups/sales/files/share/")).status);
    await Bun.sleep(200);
  }
  const written = await waiting;
  holder.run("rollback");
  holder.close();
  metric("sqlite-lock-wait", { waitedMs: Math.round(performance.now() - started), requestsMeanwhile: during.length, written });

  expect(written.status).toBe(503);
  expect(written.body.error).toMatchObject({ code: "UNAVAILABLE", retryable: true });
  // About 5 s of 200 ms polls: each one answered while SQLite waited.
  expect(during.length).toBeGreaterThanOrEqual(10);
  expect(new Set(during)).toEqual(new Set([200]));
  expect(await connectedSince()).toBe(since);
  // The lock is gone: the same write now lands.
  expect((await insert("lands")).status).toBe(200);
}, 60_000);
