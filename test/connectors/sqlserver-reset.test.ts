/**
 * @module
 * Every SQL Server call gives its connection back reset: against the TDS stand-in, which
 * records per request whether it came with the RESETCONNECTION bit, a pooled connection
 * is reset after each call before the next caller gets it, the caller's answer does not
 * wait for that reset (while the connection still counts against the pool), and a
 * connection whose reset fails, or is not answered within `connect_timeout`, is closed,
 * never handed out again.
 */
import { afterAll, afterEach, describe, expect, test } from "bun:test";
import type { DatabaseProfile } from "../../src/config/types.ts";
import type { DatabaseConnector, Row } from "../../src/connectors/connector.ts";
import { createCallContext } from "../../src/connectors/context.ts";
import { createSqlServerConnector } from "../../src/connectors/sqlserver/sqlserver-connector.ts";
import { silentLogger } from "../../src/log/logger.ts";
import { startTdsServer } from "../support/tds-server/index.ts";

const server = await startTdsServer({ users: { outpost: "s3cret-pass" } });
const connectors: DatabaseConnector[] = [];
afterAll(async () => {
  for (const connector of connectors) await connector.close();
  await server.stop();
});
afterEach(() => {
  server.resetError = undefined;
  server.holdResets = undefined;
});

const connect = (readonly = false, extra: Partial<DatabaseProfile> = {}) => {
  const connector = createSqlServerConnector({
    adapter: "sqlserver", host: "127.0.0.1", port: server.port, username: "outpost", password: "s3cret-pass",
    ssl: { mode: "disable" }, pool: { size: 1 }, readonly, ...extra,
  }, { log: silentLogger });
  connectors.push(connector);
  return connector;
};
const ctx = () => createCallContext({ timeoutMs: 30_000 });
const contextInfo = async (db: DatabaseConnector) => {
  const rows: Row[] = [];
  for await (const batch of (await db.query({ sql: "select context_info() as v" }, ctx())).rows) rows.push(...batch);
  return rows[0]!.v;
};
/** The reset is sent after the caller has its answer: wait for the server to have seen it. */
const resetsReach = async (count: number) => {
  for (let waited = 0; server.stats.resets < count; waited += 5) {
    if (waited > 5000) throw new Error(`the server saw ${server.stats.resets} resets, expected ${count}`);
    await Bun.sleep(5);
  }
};

describe("sqlserver connection reset", () => {
  for (const readonly of [false, true]) {
    test(`${readonly ? "read-only" : "read-write"}: each call's connection is reset before the next call gets it`, async () => {
      const db = connect(readonly);
      const before = server.stats.resets;
      await db.execute({ sql: "set context_info 0x0102" }, ctx());
      await resetsReach(before + 1);
      const session = server.sessions.at(-1)!;
      expect(await contextInfo(db)).toBeNull();
      await resetsReach(before + 2);
      // Login's own setup, the two calls and their resets, all on one connection.
      expect(server.sessions.at(-1)).toBe(session);
      expect(session.resets.filter(Boolean)).toHaveLength(2);
      expect(session.resets.at(-1)).toBe(true);
    });
  }

  test("the answer does not wait for the reset, and the resetting connection still counts against the pool", async () => {
    const db = connect();
    const resets = server.stats.resets;
    await db.health!(ctx());
    await resetsReach(resets + 1);
    let release!: () => void;
    server.holdResets = new Promise((resolve) => (release = resolve));
    await db.execute({ sql: "set context_info 0x0a" }, ctx());
    await resetsReach(resets + 2);
    const connections = server.stats.connections;
    const order: string[] = [];
    const next = contextInfo(db).then((value) => order.push(`next call: ${value}`));
    await Bun.sleep(50);
    order.push("reset answered");
    release();
    await next;
    expect(order).toEqual(["reset answered", "next call: null"]);
    expect(server.stats.connections).toBe(connections);
  });

  test("a connection whose reset fails is closed, and the next call gets a new one", async () => {
    const db = connect();
    const resets = server.stats.resets;
    await db.health!(ctx());
    await resetsReach(resets + 1);
    const failed = server.sessions.at(-1)!;
    server.resetError = { number: 50000, message: "sp_reset_connection failed" };
    await db.execute({ sql: "set context_info 0x0b" }, ctx());
    await resetsReach(resets + 2);
    server.resetError = undefined;
    expect(await contextInfo(db)).toBeNull();
    const fresh = server.sessions.at(-1)!;
    expect(fresh).not.toBe(failed);
    // Nothing ran on the failed connection after its reset was refused, and it was closed.
    expect(failed.resets.at(-1)).toBe(true);
    while (!failed.ended) await Bun.sleep(5);
  });

  test("a connection whose reset goes unanswered for connect_timeout is closed, and the next call gets a new one", async () => {
    const db = connect(false, { connect_timeout: 1 });
    const resets = server.stats.resets;
    await db.health!(ctx());
    await resetsReach(resets + 1);
    const stuck = server.sessions.at(-1)!;
    server.holdResets = new Promise(() => {});
    await db.execute({ sql: "set context_info 0x0c" }, ctx());
    await resetsReach(resets + 2);
    server.holdResets = undefined;
    expect(await contextInfo(db)).toBeNull();
    expect(server.sessions.at(-1)).not.toBe(stuck);
    while (!stuck.ended) await Bun.sleep(5);
  });
});
