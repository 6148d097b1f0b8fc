/**
 * The database client against a real stack: TLS gateway, an agent over the real
 * WebSocket, a SQLite profile on a temp file.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { OutpostError, OutpostQueryError, type FetchLike } from "../../src/client/index.ts";
import type { Stack } from "../support/stack.ts";
import { clientFor, numbersSql, startSqliteStack } from "./support.ts";

let stack: Stack;

beforeAll(async () => {
  stack = await startSqliteStack();
});

afterAll(async () => {
  await stack.stop();
});

const numbers = numbersSql;

describe("query, execute, batch", () => {
  test("rows come back typed as the database gave them", async () => {
    const db = clientFor(stack).group("sales").db("main");
    await db.execute("create table items (id integer primary key, name text, price real)");
    expect(await db.batch("insert into items (name, price) values (?, ?)", [["apple", 1.5], ["pear", 2.25], ["plum", 0.5]])).toEqual({ rowsAffected: 3 });
    expect(await db.execute("update items set price = price * 2 where name = ?", ["plum"])).toEqual({ rowsAffected: 1 });

    const result = await db.query<{ name: string; price: number }>("select name, price from items where price >= ? order by name", [1]);
    expect(result.columns.map((c) => c.name)).toEqual(["name", "price"]);
    expect(result.rows).toEqual([{ name: "apple", price: 1.5 }, { name: "pear", price: 2.25 }, { name: "plum", price: 1 }]);
    expect(result.rowCount).toBe(3);
    expect(result.truncated).toBe(false);

    const capped = await db.query(numbers(100), [], { maxRows: 10 });
    expect(capped.rowCount).toBe(10);
    expect(capped.truncated).toBe(true);
  });

  test("an SQL error is an OutpostQueryError with status, code and the request id sent", async () => {
    const db = clientFor(stack).group("sales").db("main");
    const error = await db.query("selec nothing", [], { requestId: "client-req-1" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutpostQueryError);
    expect(error).toMatchObject({ code: "QUERY_FAILED", status: 400, retryable: false, requestId: "client-req-1" });
  });

  test("a query that fails after many rows in JSON is a cut answer, not a short result", async () => {
    const db = clientFor(stack, { retries: 0 }).group("sales").db("main");
    const sql = numbers(300_000, "case when i < 200000 then i else abs(-9223372036854775808) end as v");
    const error = await db.query(sql).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutpostError);
    expect((error as OutpostError).code).toBe("STREAM_BROKEN");
    expect((error as OutpostError).requestId).toBeTruthy();
  });
});

describe("stream", () => {
  test("50,000 rows arrive as objects, pulled as the caller reads", async () => {
    let received = 0;
      // Counts the body bytes the client has pulled so far.
    const counting: FetchLike = async (input, init) => {
      const response = await fetch(input, init);
      const counted = response.body!.pipeThrough(new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          received += chunk.byteLength;
          controller.enqueue(chunk);
        },
      }));
      return new Response(counted, response);
    };
    const padding = "'" + "x".repeat(40) + "'";
    const rows = clientFor(stack, { fetch: counting }).group("sales").db("main").stream(numbers(50_000, `i, ${padding} as pad`));
    expect((await rows.columns).map((c) => c.name)).toEqual(["i", "pad"]);
    let count = 0;
    let inOrder = true;
    let receivedAtFirstRow = -1;
    for await (const row of rows) {
      if (count === 0) receivedAtFirstRow = received;
      inOrder &&= row.i === count + 1 && typeof row.pad === "string";
      count++;
    }
    expect(inOrder).toBe(true);
    const total = received;
    expect(count).toBe(50_000);
    expect(await rows.summary).toEqual({ rowCount: 50_000, truncated: false });
    // The whole answer is well over 2 MB; the first row was handed out long before it all arrived.
    expect(total).toBeGreaterThan(2_000_000);
    expect(receivedAtFirstRow).toBeLessThan(total / 4);
  });

  test("an error line mid-stream makes the iterator throw a typed error after the good rows", async () => {
    const rows = clientFor(stack).group("sales").db("main").stream(numbers(5000, "case when i < 3000 then i else abs(-9223372036854775808) end as v"));
    const seen: number[] = [];
    const error = await (async () => {
      for await (const row of rows) seen.push(row.v as number);
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutpostQueryError);
    expect(error).toMatchObject({ code: "QUERY_FAILED", retryable: false, status: 200 });
    expect((error as OutpostError).message).toContain("integer overflow");
    expect((error as OutpostError).requestId).toBeTruthy();
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.length).toBeLessThan(3000);
    expect(seen.slice(0, 3)).toEqual([1, 2, 3]);
    await expect(rows.summary).rejects.toBe(error);
  });

  test("breaking out of the loop stops the stream; the summary says it was stopped", async () => {
    const rows = clientFor(stack).group("sales").db("main").stream(numbers(1_000_000));
    let count = 0;
    for await (const _ of rows) if (++count === 10) break;
    expect(count).toBe(10);
    const error = await rows.summary.catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "ABORTED" });
    // The gateway and agent still answer afterwards.
    expect((await clientFor(stack).group("sales").db("main").query("select 1 as one")).rows).toEqual([{ one: 1 }]);
  });

  test("a failure before the first line rejects columns, summary and the iterator alike", async () => {
    const rows = clientFor(stack).group("sales").db("nope").stream("select 1");
    const error = await rows.columns.catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "NOT_FOUND", status: 404 });
    await expect(rows.toArray()).rejects.toBe(error);
    await expect(rows.summary).rejects.toBe(error);
  });

  test("a caller's signal aborts the stream", async () => {
    const controller = new AbortController();
    const rows = clientFor(stack).group("sales").db("main").stream(numbers(1_000_000), [], { signal: controller.signal });
    let count = 0;
    const error = await (async () => {
      for await (const _ of rows) if (++count === 5) controller.abort();
    })().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "ABORTED" });
    expect(count).toBeLessThan(1_000_000);
  });
});

test("cancel() before iterating settles the summary and frees the query", async () => {
  const rows = clientFor(stack).group("sales").db("main").stream(numbers(1_000_000));
  await rows.columns;
  await rows.cancel();
  await expect(rows.summary).rejects.toMatchObject({ code: "ABORTED" });
  expect(await rows.toArray()).toEqual([]);
});
