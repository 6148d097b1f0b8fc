/** @module The managed wrapper: shared init with retry, destroyed guard, limit and queue, deadlines, cancel, error mapping, row limits. */
import { describe, expect, test } from "bun:test";
import type { CallContext, FilesConnector, DatabaseConnector, Row } from "../../src/connectors/connector.ts";
import { createCallContext } from "../../src/connectors/context.ts";
import { ConnectorError } from "../../src/connectors/errors.ts";
import { createManagedConnector } from "../../src/connectors/managed.ts";
import { silentLogger } from "../../src/log/logger.ts";
import { failure } from "../support/failure.ts";

/** A files connector whose `stat` waits until released, to hold slots open. */
function fakeFiles(overrides: Partial<FilesConnector> = {}) {
  const gates: (() => void)[] = [];
  let inits = 0;
  const connector = {
    kind: "files",
    async init() {
      inits++;
      await Bun.sleep(5);
    },
    async close() {},
    async stat(path: string, ctx: CallContext) {
      await new Promise<void>((resolve, reject) => {
        gates.push(resolve);
        ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason), { once: true });
      });
      return { name: path, path, size: 0, mtime: "", ctime: "", isDirectory: false };
    },
    ...overrides,
  } as unknown as FilesConnector;
  return { connector, gates, inits: () => inits };
}

const ctx = () => createCallContext({ timeoutMs: 30_000 });

describe("managed connector", () => {
  test("concurrent first calls share one init", async () => {
    const fake = fakeFiles();
    const managed = createManagedConnector(fake.connector, { profile: "p", log: silentLogger });
    const calls = [managed.stat("a", ctx()), managed.stat("b", ctx()), managed.stat("c", ctx())];
    while (fake.gates.length < 3) await Bun.sleep(1);
    fake.gates.forEach((open) => open());
    await Promise.all(calls);
    expect(fake.inits()).toBe(1);
  });

  test("a failed init is retried by the next call, and its error is mapped", async () => {
    let attempts = 0;
    const flaky: DatabaseConnector = {
      kind: "database",
      async init() {
        if (++attempts === 1) throw new Error("connect ECONNREFUSED password=hunter2");
      },
      async close() {},
      async query() {
        return { columns: [], rows: (async function* () {})() };
      },
      async execute() {
        return { rowsAffected: 7 };
      },
      async batch() {
        return { rowsAffected: 0 };
      },
    };
    const managed = createManagedConnector(flaky, { profile: "db", log: silentLogger });
    const first = await failure(managed.execute({ sql: "x" }, ctx()));
    expect(first.code).toBe("INTERNAL");
    expect(first.message).not.toContain("hunter2");
    expect(await managed.execute({ sql: "x" }, ctx())).toEqual({ rowsAffected: 7 });
    expect(attempts).toBe(2);
  });

  test("mapError translates a backend's own errors", async () => {
    const fake = fakeFiles({ stat: async () => Promise.reject(Object.assign(new Error("gone"), { code: "E_GONE" })) });
    const managed = createManagedConnector(fake.connector, {
      profile: "p",
      log: silentLogger,
      mapError: (error) => ((error as { code?: string }).code === "E_GONE" ? new ConnectorError("NOT_FOUND", "gone") : undefined),
    });
    expect((await failure(managed.stat("x", ctx()))).code).toBe("NOT_FOUND");
  });

  test("beyond concurrency + queue a call is UNAVAILABLE and retryable; a queued call can be cancelled", async () => {
    const fake = fakeFiles();
    const managed = createManagedConnector(fake.connector, { profile: "p", log: silentLogger, concurrency: 1, queueSize: 1 });
    const running = managed.stat("1", ctx());
    while (fake.gates.length < 1) await Bun.sleep(1);
    const caller = new AbortController();
    const queued = managed.stat("2", createCallContext({ signal: caller.signal }));
    await Bun.sleep(1);
    const refused = await failure(managed.stat("3", ctx()));
    expect([refused.code, refused.retryable]).toEqual(["UNAVAILABLE", true]);
    caller.abort();
    expect((await failure(queued)).code).toBe("CANCELLED");
    fake.gates[0]!();
    await running;
    const next = managed.stat("4", ctx());
    while (fake.gates.length < 2) await Bun.sleep(1);
    fake.gates[1]!();
    expect((await next).path).toBe("4");
  });

  test("the deadline aborts a call with TIMEOUT", async () => {
    const fake = fakeFiles();
    const managed = createManagedConnector(fake.connector, { profile: "p", log: silentLogger });
    using call = managed.withContext({ deadline: Date.now() + 50 });
    const error = await failure(managed.stat("slow", call));
    expect([error.code, error.retryable]).toEqual(["TIMEOUT", true]);
  });

  test("after close every call is UNAVAILABLE", async () => {
    const fake = fakeFiles();
    const managed = createManagedConnector(fake.connector, { profile: "p", log: silentLogger });
    await managed.close();
    expect((await failure(managed.stat("x", ctx()))).code).toBe("UNAVAILABLE");
  });

  test("maxRows cuts batches, reports truncated, and frees the slot when the loop is left", async () => {
    const batches: Row[][] = [[{ n: 1 }, { n: 2 }], [{ n: 3 }, { n: 4 }], [{ n: 5 }]];
    let closed = 0;
    const db: DatabaseConnector = {
      kind: "database",
      async close() {},
      async query() {
        return {
          columns: [{ name: "n", type: "integer" }],
          rows: (async function* () {
            try {
              yield* batches;
            } finally {
              closed++;
            }
          })(),
        };
      },
      async execute() {
        return { rowsAffected: 0 };
      },
      async batch() {
        return { rowsAffected: 0 };
      },
    };
    const managed = createManagedConnector(db, { profile: "p", log: silentLogger, concurrency: 1, queueSize: 0 });
    const cut = await managed.query({ sql: "", maxRows: 3 }, ctx());
    const seen: Row[] = [];
    for await (const batch of cut.rows) seen.push(...batch);
    expect([seen.length, cut.truncated, closed]).toEqual([3, true, 1]);
    const whole = await managed.query({ sql: "", maxRows: 5 }, ctx());
    for await (const _ of whole.rows) break;
    expect(closed).toBe(2);
    const never = await managed.query({ sql: "" }, ctx());
    await never.rows[Symbol.asyncIterator]().return?.();
    const last = await managed.query({ sql: "", maxRows: 5 }, ctx());
    let count = 0;
    for await (const batch of last.rows) count += batch.length;
    expect([count, last.truncated]).toEqual([5, false]);
  });
});
