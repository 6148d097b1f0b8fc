/** @module MySQL/MariaDB connection life: KILL QUERY on abort, deadlines, restarts, auth and TLS failures, against a real MariaDB. */
import { afterAll, describe, expect, test } from "bun:test";
import type { DatabaseProfile } from "../../src/config/types.ts";
import type { Row } from "../../src/connectors/connector.ts";
import { createCallContext } from "../../src/connectors/context.ts";
import { ConnectorError } from "../../src/connectors/errors.ts";
import { createManagedConnector } from "../../src/connectors/managed.ts";
import { createMysqlConnector } from "../../src/connectors/mysql/mysql-connector.ts";
import { silentLogger } from "../../src/log/logger.ts";
import { createTestCa } from "../support/certs.ts";
import { startMariaDb } from "../support/mariadb.ts";
import { freePort } from "../support/ports.ts";

const server = await startMariaDb({ tls: true });
afterAll(() => server.stop());

const profile = (extra: Partial<DatabaseProfile> = {}): DatabaseProfile => ({
  adapter: "mysql", host: server.host, port: server.port, database: server.database, username: server.user,
  password: server.password, ssl: { mode: "verify-full", ca: server.caPath }, connect_timeout: 3, ...extra,
});
const connect = (extra: Partial<DatabaseProfile> = {}) =>
  createManagedConnector(createMysqlConnector(profile(extra), { log: silentLogger }), { profile: "my", log: silentLogger });
const ctx = (options: { signal?: AbortSignal; timeoutMs?: number } = {}) => createCallContext({ timeoutMs: 30_000, ...options });

async function drain(promise: Promise<{ rows: AsyncIterable<Row[]> }>): Promise<Row[]> {
  const rows: Row[] = [];
  for await (const batch of (await promise).rows) rows.push(...batch);
  return rows;
}
async function failure(promise: Promise<unknown>): Promise<ConnectorError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(ConnectorError);
  return error as ConnectorError;
}
/** Statements still running on the server, as root sees them. */
async function running(marker: string): Promise<number> {
  const out = await server.sql(`select count(*) from information_schema.PROCESSLIST where INFO like '%${marker}%' and INFO not like '%PROCESSLIST%'`);
  return Number(out.trim());
}
async function until(check: () => Promise<boolean>): Promise<boolean> {
  for (let i = 0; i < 100; i++) if (await check()) return true; else await Bun.sleep(50);
  return false;
}

describe("mariadb connections", () => {
  const db = connect();
  afterAll(() => db.close());

  test("an aborted query is killed on the server", async () => {
    const caller = new AbortController();
    const call = drain(db.query({ sql: "select sleep(30) /* cancel-me */" }, ctx({ signal: caller.signal })));
    expect(await until(async () => (await running("cancel-me")) === 1)).toBe(true);
    caller.abort();
    expect((await failure(call)).code).toBe("CANCELLED");
    expect(await until(async () => (await running("cancel-me")) === 0)).toBe(true);
  });

  test("a deadline kills execute on the server with TIMEOUT", async () => {
    const error = await failure(db.execute({ sql: "select sleep(30) /* deadline-me */" }, ctx({ timeoutMs: 300 })));
    expect(error.code).toBe("TIMEOUT");
    expect(await until(async () => (await running("deadline-me")) === 0)).toBe(true);
  });

  test("leaving a large result early stops it on the server", async () => {
    const result = await db.query({ sql: "select seq, sleep(0.001) /* early-exit */ from seq_1_to_1000000" }, ctx());
    for await (const batch of result.rows) if (batch.length > 0) break;
    expect(await until(async () => (await running("early-exit")) === 0)).toBe(true);
  });

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

  test("ssl modes: verify-ca accepts another host name, a foreign CA fails verify-full, require encrypts unchecked", async () => {
    const byName = connect({ host: "localhost", ssl: { mode: "verify-ca", ca: server.caPath } });
    await byName.health(ctx());
    await byName.close();
    const wrongCa = connect({ ssl: { mode: "verify-full", ca: createTestCa("Someone Else").certPath } });
    const error = await failure(wrongCa.health(ctx()));
    expect(error.code).toBe("UNREACHABLE");
    expect(error.retryable).toBe(false);
    await wrongCa.close();
    const unverified = connect({ ssl: { mode: "require" } });
    const [row] = await drain(unverified.query({ sql: "show session status like 'Ssl_cipher'" }, ctx()));
    expect(String(row?.Value)).not.toBe("");
    await unverified.close();
  });
});
