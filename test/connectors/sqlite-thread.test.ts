/**
 * @module
 * SQLite runs on a worker thread per profile: what that must buy. A write that waits for
 * another process's lock, or a long statement, leaves the agent's event loop free; a
 * caller that gives up is answered at once and the profile serves the next call after.
 */
import { Database } from "bun:sqlite";
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createCallContext } from "../../src/connectors/context.ts";
import { SqliteConnector } from "../../src/connectors/sqlite/sqlite-connector.ts";
import { failure } from "../support/failure.ts";
import { drain } from "./connection.suite.ts";

const dir = mkdtempSync(join(tmpdir(), "outpost-sqlite-thread-"));
const path = join(dir, "shared.db");
const connectors: SqliteConnector[] = [];
afterAll(async () => {
  for (const connector of connectors) await connector.close();
  rmSync(dir, { recursive: true, force: true });
});

async function open(file = path): Promise<SqliteConnector> {
  const connector = new SqliteConnector({ path: file });
  await connector.init();
  connectors.push(connector);
  return connector;
}

/** A statement that keeps SQLite busy for a while (seconds on a slow machine). */
const SLOW = "with recursive g(n) as (select 1 union all select n + 1 from g where n < 10000000) select count(*) as n from g";

test("a write waiting for another connection's lock leaves the event loop free, and lands once the lock is gone", async () => {
  const connector = await open();
  await connector.execute({ sql: "create table if not exists t (v text)" }, createCallContext());
  // Another connection (as another process would) holds the write lock.
  const other = new Database(path);
  other.run("begin immediate");
  other.run("insert into t values ('other')");
  // Released by a timer on this thread: it can only fire if the wait does not block the loop.
  setTimeout(() => other.run("commit"), 300);
  const mine = await connector.execute({ sql: "insert into t values ('mine')" }, createCallContext());
  other.close();
  expect(mine.rowsAffected).toBe(1);
  expect(await drain(connector.query({ sql: "select v from t order by v" }, createCallContext()))).toEqual([{ v: "mine" }, { v: "other" }]);
});

test("while one profile runs a long statement, another profile answers", async () => {
  const busy = await open(join(dir, "busy.db"));
  const idle = await open(join(dir, "idle.db"));
  let longDone = false;
  const long = drain(busy.query({ sql: SLOW }, createCallContext())).then((rows) => ((longDone = true), rows));
  expect(await drain(idle.query({ sql: "select 7 as n" }, createCallContext()))).toEqual([{ n: 7 }]);
  expect(longDone).toBe(false);
  expect(await long).toEqual([{ n: 10_000_000 }]);
});

test("a deadline answers the caller while the statement still runs; the profile then serves the next call", async () => {
  const connector = await open(join(dir, "deadline.db"));
  const error = await failure(drain(connector.query({ sql: SLOW }, createCallContext({ timeoutMs: 100 }))));
  expect(error.code).toBe("TIMEOUT");
  expect(await drain(connector.query({ sql: "select 1 as one" }, createCallContext()))).toEqual([{ one: 1 }]);
});

test("a write whose caller left while it waited behind a long statement never runs", async () => {
  const connector = await open(join(dir, "queued.db"));
  await connector.execute({ sql: "create table log (v text)" }, createCallContext());
  const long = drain(connector.query({ sql: SLOW }, createCallContext()));
  const cancelled = new AbortController();
  const gaveUp = failure(connector.execute({ sql: "insert into log values ('cancelled')" }, createCallContext({ signal: cancelled.signal })));
  const late = failure(connector.execute({ sql: "insert into log values ('late')" }, createCallContext({ timeoutMs: 50 })));
  cancelled.abort();
  expect((await gaveUp).code).toBe("CANCELLED");
  expect((await late).code).toBe("TIMEOUT");
  await long;
  expect(await drain(connector.query({ sql: "select count(*) as n from log" }, createCallContext()))).toEqual([{ n: 0 }]);
});

test("a cursor left half-read is closed: a later write to the same table is not blocked by it", async () => {
  const connector = await open(join(dir, "cursor.db"));
  await connector.execute({ sql: "create table big (n integer)" }, createCallContext());
  await connector.execute({ sql: "insert into big with recursive g(n) as (select 1 union all select n + 1 from g where n < 5000) select n from g" }, createCallContext());
  const result = await connector.query({ sql: "select n from big" }, createCallContext());
  for await (const batch of result.rows) {
    expect(batch.length).toBeGreaterThan(0);
    break;
  }
  // A statement still stepping would keep the table locked for DROP.
  expect(await connector.execute({ sql: "drop table big" }, createCallContext())).toEqual({ rowsAffected: 0 });
});

test("close ends the thread: later calls are UNAVAILABLE and retryable", async () => {
  const connector = await open(join(dir, "closed.db"));
  await connector.close();
  const error = await failure(connector.execute({ sql: "select 1" }, createCallContext()));
  expect(error.code).toBe("UNAVAILABLE");
  expect(error.retryable).toBe(true);
});
