/**
 * @module
 * Connection life every SQL server connector must get right, run against each real server
 * (the hono `runTest` pattern, like database.suite.ts): the pool heals after the server
 * restarts, a wrong password is AUTH_FAILED without the password in the message, and an
 * address where nothing listens is UNREACHABLE and retryable.
 */
import { afterAll, describe, expect, test } from "bun:test";
import type { DatabaseProfile } from "../../src/config/types.ts";
import type { DatabaseConnector, Row } from "../../src/connectors/connector.ts";
import { createCallContext } from "../../src/connectors/context.ts";
import type { Managed } from "../../src/connectors/managed.ts";
import type { TestDatabaseServer } from "../support/database-server.ts";
import { failure } from "../support/failure.ts";
import { freePort } from "../support/ports.ts";

export interface ConnectionSuiteOptions {
  name: string;
  /** A managed connector for the test server, with `extra` laid over its profile. */
  connect(extra?: Partial<DatabaseProfile>): Managed<DatabaseConnector>;
  server: Pick<TestDatabaseServer, "stopServer" | "startServer">;
}

/** A call context with a generous deadline, or the given signal and timeout. */
export const ctx = (options: { signal?: AbortSignal; timeoutMs?: number } = {}) => createCallContext({ timeoutMs: 30_000, ...options });

/** All rows of a query. */
export async function drain(promise: Promise<{ rows: AsyncIterable<Row[]> }>): Promise<Row[]> {
  const rows: Row[] = [];
  for await (const batch of (await promise).rows) rows.push(...batch);
  return rows;
}

/** Polls `check` every 50 ms for up to 5 s. */
export async function until(check: () => Promise<boolean>): Promise<boolean> {
  for (let i = 0; i < 100; i++) if (await check()) return true; else await Bun.sleep(50);
  return false;
}

export function runConnectionSuite({ name, connect, server }: ConnectionSuiteOptions): void {
  describe(`${name}: connection life`, () => {
    const db = connect();
    afterAll(() => db.close());

    test("the pool heals after the server restarts", async () => {
      expect(await drain(db.query({ sql: "select 1 as one" }, ctx()))).toEqual([{ one: 1 }]);
      await server.stopServer();
      const down = await failure(db.execute({ sql: "select 1" }, ctx()));
      expect(down.code).toBe("UNREACHABLE");
      expect(down.retryable).toBe(true);
      await server.startServer();
      expect(await drain(db.query({ sql: "select 2 as two" }, ctx()))).toEqual([{ two: 2 }]);
      await db.health(ctx());
    });

    test("after many failed connections during an outage, calls are served promptly once the server is back", async () => {
      expect(await drain(db.query({ sql: "select 1 as one" }, ctx()))).toEqual([{ one: 1 }]);
      await server.stopServer();
      const outage = await Promise.all(Array.from({ length: 30 }, () => failure(db.execute({ sql: "select 1" }, ctx()))));
      expect(new Set(outage.map((error) => error.code))).toEqual(new Set(["UNREACHABLE"]));
      await server.startServer();
      // A generous deadline still far below a 20 s reconnect back-off: no call may sit out
      // a delay that the server's return made pointless.
      const back = await Promise.all(Array.from({ length: 20 }, (_, i) => drain(db.query({ sql: `select ${i} as n` }, ctx({ timeoutMs: 5_000 })))));
      expect(back).toEqual(Array.from({ length: 20 }, (_, i) => [{ n: i }]));
    });

    test("a wrong password is AUTH_FAILED, not retryable, and the password stays out of the message", async () => {
      const wrong = connect({ password: "not-the-password" });
      const error = await failure(wrong.health(ctx()));
      expect(error.code).toBe("AUTH_FAILED");
      expect(error.retryable).toBe(false);
      expect(error.message).not.toContain("not-the-password");
      await wrong.close();
    });

    test("nothing listening is UNREACHABLE and retryable", async () => {
      const nowhere = connect({ port: await freePort(), ssl: { mode: "disable" } });
      const error = await failure(nowhere.health(ctx()));
      expect(error.code).toBe("UNREACHABLE");
      expect(error.retryable).toBe(true);
      await nowhere.close();
    });
  });
}
