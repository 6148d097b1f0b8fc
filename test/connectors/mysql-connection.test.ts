/** @module MySQL/MariaDB connection life: KILL QUERY on abort, deadlines, restarts, auth and TLS failures, against a real MariaDB. */
import { afterAll, describe, expect, test } from "bun:test";
import type { DatabaseProfile } from "../../src/config/types.ts";
import { createManagedConnector } from "../../src/connectors/managed.ts";
import { createMysqlConnector } from "../../src/connectors/mysql/mysql-connector.ts";
import { silentLogger } from "../../src/log/logger.ts";
import { createTestCa } from "../support/certs.ts";
import { failure } from "../support/failure.ts";
import { ctx, drain, runConnectionSuite, until } from "./connection.suite.ts";
import { startMariaDb } from "../support/mariadb.ts";

const server = await startMariaDb({ tls: true });
afterAll(() => server.stop());

const profile = (extra: Partial<DatabaseProfile> = {}): DatabaseProfile => ({
  adapter: "mysql", host: server.host, port: server.port, database: server.database, username: server.user,
  password: server.password, ssl: { mode: "verify-full", ca: server.caPath }, connect_timeout: 3, ...extra,
});
const connect = (extra: Partial<DatabaseProfile> = {}) =>
  createManagedConnector(createMysqlConnector(profile(extra), { log: silentLogger }), { profile: "my", log: silentLogger });

/** Statements still running on the server, as root sees them. */
async function running(marker: string): Promise<number> {
  const out = await server.sql(`select count(*) from information_schema.PROCESSLIST where INFO like '%${marker}%' and INFO not like '%PROCESSLIST%'`);
  return Number(out.trim());
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

  test("a statement KILLed at its deadline fails with TIMEOUT even when it ends normally (DO SLEEP)", async () => {
    // The bare connector, without the managed wrapper's race: the connector itself must not report success.
    const bare = createMysqlConnector(profile(), { log: silentLogger });
    try {
      const error = await failure(bare.execute({ sql: "do sleep(3) /* killed-ok */" }, ctx({ timeoutMs: 1000 })));
      expect(error.code).toBe("TIMEOUT");
      const rows = await failure(drain(bare.query({ sql: "select sleep(3) as s /* killed-ok-q */" }, ctx({ timeoutMs: 1000 }))));
      expect(rows.code).toBe("TIMEOUT");
    } finally {
      await bare.close();
    }
  });

  test("leaving a large result early stops it on the server", async () => {
    const result = await db.query({ sql: "select seq, sleep(0.001) /* early-exit */ from seq_1_to_1000000" }, ctx());
    for await (const batch of result.rows) if (batch.length > 0) break;
    expect(await until(async () => (await running("early-exit")) === 0)).toBe(true);
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

runConnectionSuite({ name: "mariadb", connect, server });
