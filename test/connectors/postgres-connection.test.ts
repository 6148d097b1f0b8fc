/** @module PostgreSQL connection life: server-side cancel, deadlines, restarts, auth and TLS failures, against a real server. */
import { afterAll, describe, expect, test } from "bun:test";
import type { DatabaseProfile } from "../../src/config/types.ts";
import type { CallContext } from "../../src/connectors/connector.ts";
import { createManagedConnector } from "../../src/connectors/managed.ts";
import { createPostgresConnector } from "../../src/connectors/postgres/postgres-connector.ts";
import { silentLogger } from "../../src/log/logger.ts";
import { createTestCa } from "../support/certs.ts";
import { failure } from "../support/failure.ts";
import { ctx, drain, runConnectionSuite, until } from "./connection.suite.ts";
import { startPostgres } from "../support/postgres.ts";

const server = await startPostgres({ tls: true });
afterAll(() => server.stop());

const profile = (extra: Partial<DatabaseProfile> = {}): DatabaseProfile => ({
  adapter: "postgresql", host: server.host, port: server.port, database: server.database, username: server.user,
  password: server.password, ssl: { mode: "verify-full", ca: server.caPath }, connect_timeout: 3, ...extra,
});
const connect = (extra: Partial<DatabaseProfile> = {}) =>
  createManagedConnector(createPostgresConnector(profile(extra), { log: silentLogger }), { profile: "pg", log: silentLogger });

/** Statements of the test user still running on the server, seen by the superuser. */
async function running(marker: string): Promise<number> {
  const out = await server.psql(`select count(*) from pg_stat_activity where state = 'active' and query like '%${marker}%' and query not like '%pg_stat_activity%'`);
  return Number(out.trim());
}

describe("postgresql connections", () => {
  const db = connect();
  afterAll(() => db.close());

  test("an aborted query is cancelled on the server", async () => {
    const caller = new AbortController();
    const call = drain(db.query({ sql: "select pg_sleep(30) /* cancel-me */" }, ctx({ signal: caller.signal })));
    expect(await until(async () => (await running("cancel-me")) === 1)).toBe(true);
    caller.abort();
    expect((await failure(call)).code).toBe("CANCELLED");
    expect(await until(async () => (await running("cancel-me")) === 0)).toBe(true);
  });

  test("a deadline cancels execute on the server with TIMEOUT", async () => {
    const call: CallContext = ctx({ timeoutMs: 300 });
    const error = await failure(db.execute({ sql: "select pg_sleep(30) /* deadline-me */" }, call));
    expect(error.code).toBe("TIMEOUT");
    expect(await until(async () => (await running("deadline-me")) === 0)).toBe(true);
  });

  test("ssl modes: verify-ca accepts another host name, a foreign CA fails verify-full, require encrypts unchecked", async () => {
    const byName = connect({ host: "localhost", ssl: { mode: "verify-ca", ca: server.caPath } });
    await byName.health(ctx());
    await byName.close();
    const foreign = createTestCa("Someone Else");
    const wrongCa = connect({ ssl: { mode: "verify-full", ca: foreign.certPath } });
    const error = await failure(wrongCa.health(ctx()));
    expect(error.code).toBe("UNREACHABLE");
    expect(error.retryable).toBe(false);
    await wrongCa.close();
    const unverified = connect({ ssl: { mode: "require" } });
    expect(await drain(unverified.query({ sql: "select ssl from pg_stat_ssl where pid = pg_backend_pid()" }, ctx()))).toEqual([{ ssl: true }]);
    await unverified.close();
  });
});

runConnectionSuite({ name: "postgresql", connect, server });
