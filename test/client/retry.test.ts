/**
 * The retry policy. Unit tests use a small fake `fetch` that answers from a script (the
 * only place a fake is used: it makes "503, then 200" exact); the last test is a real
 * stack where a query waits out a group with no agent until one connects.
 */
import { expect, test } from "bun:test";
import { join } from "node:path";
import { OutpostClient, OutpostUnavailableError, type FetchLike } from "../../src/client/index.ts";
import { retryDelay, DEFAULT_RETRY_POLICY } from "../../src/client/retry.ts";
import { OutpostError } from "../../src/client/errors.ts";
import { startStack } from "../support/stack.ts";
import { clientFor } from "./support.ts";

const unavailable = () =>
  Response.json({ error: { code: "UNAVAILABLE", message: "no agent of group \"g\" is connected", retryable: true, requestId: "r1" } }, { status: 503 });

/** Answers each call with the next response of the script, and records what was asked. */
function scripted(...answers: (() => Response)[]) {
  const calls: { url: string; method: string }[] = [];
  const fetch: FetchLike = async (input, init) => {
    calls.push({ url: input, method: init.method ?? "GET" });
    const next = answers.shift();
    if (!next) throw new Error("no more scripted answers");
    return next();
  };
  return { fetch, calls };
}

const client = (fetch: FetchLike, retries?: number) =>
  new OutpostClient({ url: "https://gw.test", token: "opt_x", fetch, retries, retryDelayMs: 1 });

test("an idempotent call that gets a retryable 503 is tried again and succeeds", async () => {
  const fake = scripted(unavailable, () => Response.json({ columns: [], rows: [], rowCount: 0, truncated: false }));
  const result = await client(fake.fetch).group("g").db("d").query("select 1");
  expect(result.rowCount).toBe(0);
  expect(fake.calls.map((c) => c.url)).toEqual(["https://gw.test/v1/groups/g/db/d/query", "https://gw.test/v1/groups/g/db/d/query"]);
});

test("the default is one retry; the second failure is thrown typed", async () => {
  const fake = scripted(unavailable, unavailable, unavailable);
  const error = await client(fake.fetch).group("g").files("f").list("").catch((e: unknown) => e);
  expect(error).toBeInstanceOf(OutpostUnavailableError);
  expect(error).toMatchObject({ code: "UNAVAILABLE", status: 503, retryable: true, requestId: "r1" });
  expect(fake.calls.length).toBe(2);
});

test("writes and executes are never retried", async () => {
  const fake = scripted(unavailable, unavailable, unavailable, unavailable);
  const op = client(fake.fetch, 5).group("g");
  await expect(op.db("d").execute("delete from t")).rejects.toMatchObject({ code: "UNAVAILABLE" });
  await expect(op.files("f").write("a.txt", "x")).rejects.toMatchObject({ code: "UNAVAILABLE" });
  await expect(op.scripts("s").run("x")).rejects.toMatchObject({ code: "UNAVAILABLE" });
  await expect(op.db("d").batch("insert", [[1]])).rejects.toMatchObject({ code: "UNAVAILABLE" });
  expect(fake.calls.map((c) => c.method)).toEqual(["POST", "PUT", "POST", "POST"]);
});

test("a non-retryable error is not retried", async () => {
  const fake = scripted(() => Response.json({ error: { code: "QUERY_FAILED", message: "syntax", retryable: false } }, { status: 400 }));
  await expect(client(fake.fetch, 3).group("g").db("d").query("selec")).rejects.toMatchObject({ code: "QUERY_FAILED" });
  expect(fake.calls.length).toBe(1);
});

test("a network failure of a read is retried", async () => {
  let first = true;
  const fetch: FetchLike = async () => {
    if (first) {
      first = false;
      throw new TypeError("connection refused");
    }
    return Response.json({ entries: [] });
  };
  expect(await client(fetch).group("g").files("f").list()).toEqual([]);
});

test("the backoff is fully jittered under a doubling ceiling; a long Retry-After gives up", () => {
  const error = new OutpostError("UNAVAILABLE", "x", { retryable: true });
  const policy = { ...DEFAULT_RETRY_POLICY, retries: 5, baseDelayMs: 100, maxDelayMs: 1000 };
  expect(retryDelay({ ...policy, random: () => 0.999 }, 0, error)).toBe(99);
  expect(retryDelay({ ...policy, random: () => 0.5 }, 2, error)).toBe(200);
  expect(retryDelay({ ...policy, random: () => 0.999 }, 4, error)).toBe(999);
  expect(retryDelay({ ...policy, random: () => 0 }, 1, error)).toBe(0);
  expect(retryDelay(policy, 5, error)).toBeUndefined();
  expect(retryDelay(policy, 0, new OutpostError("RATE_LIMITED", "x", { retryable: true, retryAfterSeconds: 0.5 }))).toBe(500);
  expect(retryDelay(policy, 0, new OutpostError("RATE_LIMITED", "x", { retryable: true, retryAfterSeconds: 60 }))).toBeUndefined();
  expect(retryDelay(policy, 0, new OutpostError("NOT_FOUND", "x"))).toBeUndefined();
});

test("an abort while waiting to retry ends the call at once", async () => {
  const controller = new AbortController();
  const fetch: FetchLike = async () => {
    setTimeout(() => controller.abort(), 10);
    return unavailable();
  };
  const op = new OutpostClient({ url: "https://gw.test", token: "opt_x", fetch, retries: 3, retryDelayMs: 60_000, maxRetryDelayMs: 60_000 });
  await expect(op.group("g").db("d").query("select 1", [], { signal: controller.signal })).rejects.toMatchObject({ code: "ABORTED" });
});

test("a real query waits out 'no agent connected' (503) until an agent connects", async () => {
  const stack = await startStack({ profiles: (dir) => `databases:\n  main:\n    adapter: sqlite\n    path: ${join(dir, "main.db")}\n` });
  try {
    const op = clientFor(stack, { retries: 1000, retryDelayMs: 50, maxRetryDelayMs: 50 });
    const before = await clientFor(stack, { retries: 0 }).group("sales").db("main").query("select 1").catch((e: unknown) => e);
    expect(before).toMatchObject({ status: 503, retryable: true });
    const answer = op.group("sales").db("main").query("select 42 as answer");
    await stack.addAgent("late");
    expect((await answer).rows).toEqual([{ answer: 42 }]);
  } finally {
    await stack.stop();
  }
}, 30_000);

test("no headers within timeoutMs is a retryable CLIENT_TIMEOUT, retried for reads", async () => {
  let calls = 0;
  const hanging: FetchLike = (_input, init) => {
    calls++;
    return new Promise((_resolve, reject) => init.signal?.addEventListener("abort", () => reject(init.signal?.reason)));
  };
  const op = new OutpostClient({ url: "https://gw.test", token: "opt_x", fetch: hanging, timeoutMs: 20, retryDelayMs: 1 });
  await expect(op.group("g").files("f").stat("a")).rejects.toMatchObject({ code: "CLIENT_TIMEOUT", retryable: true });
  expect(calls).toBe(2);
});
