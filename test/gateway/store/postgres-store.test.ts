/**
 * @module
 * The PostgreSQL store against a real throwaway PostgreSQL: the conformance suite (a fresh
 * database per fixture), migrations racing on one empty database, a newer schema refused,
 * changes seen across two store objects (two "nodes") through LISTEN/NOTIFY, a dropped
 * LISTEN connection, concurrent redemptions, TLS with `sslmode=verify-full`, and
 * `outpost gateway serve --store postgres://…` serving an invoke request end to end.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { createServer, connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { activateAgent } from "../../../src/agent/activate.ts";
import { startAgent } from "../../../src/agent/agent.ts";
import { loadConfig } from "../../../src/config/load.ts";
import { AdminService } from "../../../src/gateway/admin/admin-service.ts";
import { openGatewayStore } from "../../../src/gateway/store/open-gateway-store.ts";
import { MIGRATIONS } from "../../../src/gateway/store/postgres-schema.ts";
import { openPostgresStore } from "../../../src/gateway/store/postgres-store.ts";
import type { GatewayStore } from "../../../src/gateway/store/store.ts";
import { createTestCa } from "../../support/certs.ts";
import { freePort } from "../../support/ports.ts";
import { startPostgres, type TestPostgres } from "../../support/postgres.ts";
import { quietLog, waitFor } from "../../support/stack.ts";
import { runStoreConformance } from "./store-conformance.ts";

let pg: TestPostgres;
let databases = 0;
const opened: GatewayStore[] = [];

beforeAll(async () => {
  pg = await startPostgres({ tls: true });
}, 60_000);

afterAll(async () => {
  await Promise.allSettled(opened.map((store) => store.close()));
  await pg?.stop();
});

/** A new empty database owned by the test user; returns its URL. */
async function freshDatabase(): Promise<string> {
  const name = `store_${++databases}`;
  await pg.psql(`CREATE DATABASE ${name} OWNER ${pg.user}`);
  return pg.url.replace(/\/[^/]+$/, `/${name}`);
}

async function track<T extends GatewayStore>(store: Promise<T>): Promise<T> {
  const open = await store;
  opened.push(open);
  return open;
}

async function within(ms: number, check: () => boolean): Promise<boolean> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) return false;
    await Bun.sleep(10);
  }
  return true;
}

runStoreConformance("PostgresGatewayStore", async () => {
  let clock = 1_700_000_000_000;
  const store = await track(openPostgresStore({ url: await freshDatabase(), now: () => clock }));
  return { store, advance: (ms) => (clock += ms) };
});

describe("PostgresGatewayStore schema", () => {
  test("two stores migrating one empty database at once both open, at the latest version, migrated once", async () => {
    const url = await freshDatabase();
    const [a, b] = await Promise.all([track(openPostgresStore({ url })), track(openPostgresStore({ url }))]);
    await a.createGroup({ name: "sales" });
    expect((await b.getGroupByName("sales"))?.name).toBe("sales");
    const sql = postgres(url, { onnotice: () => {} });
    expect(await sql`SELECT version FROM schema_version`).toEqual([{ version: MIGRATIONS.length }] as never);
    await sql.end();
  });

  test("a database from a newer binary is refused, naming both versions", async () => {
    const url = await freshDatabase();
    await (await openPostgresStore({ url })).close();
    const sql = postgres(url);
    await sql`UPDATE schema_version SET version = 999`;
    await sql.end();
    expect(openPostgresStore({ url })).rejects.toThrow(`schema version 999, newer than this binary knows (${MIGRATIONS.length}); upgrade outpost`);
  });

  test("a wrong password fails with an error that names the redacted URL, not the password", async () => {
    const url = (await freshDatabase()).replace(encodeURIComponent(pg.password), "wrong-secret-pw");
    const error = await openPostgresStore({ url }).then(() => undefined, (e: Error) => e);
    expect(error?.message).toContain(`postgres://${pg.user}:***@127.0.0.1:${pg.port}/`);
    expect(error?.message).toContain("password authentication failed");
    expect(error?.message).not.toContain("wrong-secret-pw");
  });
});

describe("PostgresGatewayStore across nodes", () => {
  test("a token revoked through another store object moves this one's changeVersion within 1 s; a touch does not", async () => {
    const url = await freshDatabase();
    const nodeA = await track(openPostgresStore({ url }));
    const nodeB = await track(openPostgresStore({ url }));
    const token = await nodeB.createApiToken({ name: "ci", secretHash: "h", groups: null, admin: false });
    await Bun.sleep(200);
    const quiet = nodeA.changeVersion();
    await nodeB.touchApiToken(token.id);
    await Bun.sleep(300);
    expect(nodeA.changeVersion()).toBe(quiet);
    await nodeB.revokeApiToken(token.id);
    expect(await within(1000, () => nodeA.changeVersion() !== quiet)).toBe(true);
    expect((await nodeA.findApiTokenByHash("h"))?.revokedAt).not.toBeNull();
  });

  test("a write made outside any store (plain SQL) is heard too", async () => {
    const url = await freshDatabase();
    const store = await track(openPostgresStore({ url }));
    await Bun.sleep(100);
    const before = store.changeVersion();
    const sql = postgres(url, { onnotice: () => {} });
    await sql`INSERT INTO settings (key, value) VALUES ('by-hand', '1')`;
    await sql.end();
    expect(await within(1000, () => store.changeVersion() !== before)).toBe(true);
  });

  test("while the LISTEN connection is down every read moves; it reconnects and hears changes again", async () => {
    const url = await freshDatabase();
    const states: boolean[] = [];
    const nodeA = await track(openPostgresStore({ url, onListenState: (listening) => states.push(listening) }));
    const nodeB = await track(openPostgresStore({ url }));
    // Cuts both nodes' LISTEN connections (the only ones in this database).
    await pg.psql(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
      WHERE application_name = 'outpost-gateway-listen' AND datname = '${new URL(url).pathname.slice(1)}'`);
    expect(await within(2000, () => states.includes(false))).toBe(true);
    expect(await within(5000, () => states.at(-1) === true)).toBe(true);
    await Bun.sleep(50);
    const quiet = nodeA.changeVersion();
    expect(nodeA.changeVersion()).toBe(quiet);
    await nodeB.setSetting("after-reconnect", true);
    expect(await within(1000, () => nodeA.changeVersion() !== quiet)).toBe(true);
  });

  test("concurrent redemptions of one code through two nodes: exactly one wins", async () => {
    const url = await freshDatabase();
    const nodes = await Promise.all([1, 2, 3, 4].map(() => track(openPostgresStore({ url }))));
    const group = await nodes[0]!.createGroup({ name: "sales" });
    const agent = await nodes[0]!.createAgent({ groupId: group.id, name: "a1" });
    await nodes[0]!.addActivationCode({ codeHash: "race", agentId: agent.id, expiresAt: Date.now() + 60_000 });
    const results = await Promise.all(
      nodes.flatMap((node, index) => [0, 1].map((n) => node.redeemActivationCode({ codeHash: "race", publicKey: Buffer.alloc(32, index * 2 + n).toString("base64") }))),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok).map((r) => !r.ok && r.reason)).toEqual(Array(7).fill("used"));
  });
});

/** A TCP relay to PostgreSQL that can go silent (stop reading both ways, no reset): a half-open network. */
async function silenceableRelay(targetPort: number) {
  const sockets = new Set<Socket>();
  let silent = false;
  const server = createServer((client) => {
    const upstream = connect(targetPort, "127.0.0.1");
    for (const [from, to] of [[client, upstream], [upstream, client]] as const) {
      sockets.add(from);
      if (silent) from.pause();
      from.on("data", (chunk) => to.write(chunk));
      from.on("close", () => to.destroy());
      from.on("error", () => to.destroy());
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as { port: number }).port,
    silence: () => ((silent = true), sockets.forEach((socket) => socket.pause())),
    resume: () => ((silent = false), sockets.forEach((socket) => socket.resume())),
    close: () => (sockets.forEach((socket) => socket.destroy()), server.close()),
  };
}

describe("PostgresGatewayStore on a network gone silent", () => {
  test("a LISTEN connection that stops answering is given up within two probes; caching stops until a new one listens", async () => {
    const relay = await silenceableRelay(pg.port);
    const url = (await freshDatabase()).replace(`:${pg.port}/`, `:${relay.port}/`);
    const states: boolean[] = [];
    const store = await track(openPostgresStore({ url, listenProbeMs: 200, onListenState: (listening) => states.push(listening) }));
    try {
      relay.silence();
      expect(await within(2000, () => states.includes(false))).toBe(true);
      const first = store.changeVersion();
      expect(store.changeVersion()).not.toBe(first);
      relay.resume();
      expect(await within(10_000, () => states.at(-1) === true)).toBe(true);
      const back = store.changeVersion();
      expect(store.changeVersion()).toBe(back);
    } finally {
      relay.close();
    }
  }, 30_000);
});

describe("PostgresGatewayStore under contention", () => {
  test("a new code issued while the agent redeems the old one: both finish, neither deadlocks", async () => {
    const url = await freshDatabase();
    const [admin, gateway] = await Promise.all([track(openPostgresStore({ url })), track(openPostgresStore({ url }))]);
    const group = await admin.createGroup({ name: "sales" });
    const agent = await admin.createAgent({ groupId: group.id, name: "a1" });
    const expiresAt = Date.now() + 60_000;
    for (let round = 0; round < 30; round++) {
      await admin.addActivationCode({ codeHash: `old-${round}`, agentId: agent.id, expiresAt });
      const [, redeemed] = await Promise.all([
        admin.addActivationCode({ codeHash: `new-${round}`, agentId: agent.id, expiresAt }),
        gateway.redeemActivationCode({ codeHash: `old-${round}`, publicKey: Buffer.alloc(32, round).toString("base64") }),
      ]);
      // Either order is right: redeemed first, or replaced first (then the old code is unknown).
      expect(redeemed.ok || redeemed.reason === "unknown").toBe(true);
    }
  }, 30_000);
});

describe("PostgresGatewayStore over TLS", () => {
  test("sslmode=verify-full with sslrootcert connects; a wrong root is refused", async () => {
    const url = await freshDatabase();
    const store = await track(openGatewayStore("/nonexistent", { storeUrl: `${url}?sslmode=verify-full&sslrootcert=${pg.caPath}` }));
    await store.setSetting("tls", true);
    const sql = postgres(url);
    const [row] = await sql`SELECT bool_and(ssl) AS all_tls FROM pg_stat_ssl JOIN pg_stat_activity USING (pid)
      WHERE application_name LIKE 'outpost-gateway%' AND datname = current_database()`;
    await sql.end();
    expect(row?.all_tls).toBe(true);
    const error = await openGatewayStore("/nonexistent", { storeUrl: `${url}?sslmode=verify-full` }).then(() => undefined, (e: Error) => e);
    expect(error?.message).toMatch(/^cannot open the gateway store postgres:\/\/outpost:\*\*\*@/);
    expect(error?.message).not.toContain(pg.password);
  });
});

describe("admin commands with --store postgres://…", () => {
  test("token create works on the store itself, audits to stderr, and never prints the password", async () => {
    const url = await freshDatabase();
    const main = join(import.meta.dir, "../../../src/cli/main.ts");
    const child = Bun.spawn([process.execPath, main, "gateway", "token", "create", "--name", "root", "--admin", "--store", url], { stdout: "pipe", stderr: "pipe" });
    const [stdout, stderr, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
    expect([code, stderr]).toEqual([0, expect.stringContaining('"actor":"local:')]);
    expect(stdout + stderr).not.toContain(pg.password);
    const store = await track(openPostgresStore({ url }));
    expect((await store.listApiTokens()).map((t) => [t.name, t.admin])).toEqual([["root", true]]);
  });
});

describe("outpost gateway serve --store postgres://…", () => {
  test("starts on the store, serves an invoke request from an agent activated there, and never logs the password", async () => {
    const url = await freshDatabase();
    const dir = mkdtempSync(join(tmpdir(), "outpost-pgserve-"));
    const ca = createTestCa();
    const leaf = ca.issue("localhost");
    const port = await freePort();
    const main = join(import.meta.dir, "../../../src/cli/main.ts");
    const serve = Bun.spawn(
      [process.execPath, main, "gateway", "serve", "--debug", "--data-dir", join(dir, "unused"), "--tls-cert", leaf.certPath, "--tls-key", leaf.keyPath,
        "--port", String(port), "--log-format", "json"],
      { env: { ...process.env, OUTPOST_GATEWAY_STORE: `${url}?sslmode=verify-full&sslrootcert=${pg.caPath}` }, stdout: "pipe", stderr: "pipe" },
    );
    const output = Promise.all([new Response(serve.stdout).text(), new Response(serve.stderr).text()]);
    let agent: Awaited<ReturnType<typeof startAgent>> | undefined;
    try {
      // The test is a second node on the same store: what it writes, the gateway reads.
      const store = await track(openPostgresStore({ url }));
      const admin = new AdminService({ store });
      await waitFor(async () => (await store.getSetting("publicUrl")) !== undefined, "gateway serve to start", 20_000);
      await admin.createGroup("sales");
      const token = (await admin.createToken({ name: "caller", groups: ["sales"] })).secret;
      const gatewayUrl = `wss://localhost:${port}`;
      const { activationCode } = await admin.addAgent("sales", "alpha", gatewayUrl);
      const agentDir = join(dir, "alpha");
      mkdirSync(agentDir);
      const configPath = join(agentDir, "config.yml");
      writeFileSync(configPath, `databases:\n  main:\n    adapter: sqlite\n    path: ${join(agentDir, "main.db")}\n`);
      await activateAgent({ code: activationCode, gatewayUrl, configPath, identityPath: join(agentDir, "identity.json"), ca: ca.certPem, caPath: ca.certPath, version: "0.0.0-test" });
      agent = await startAgent({ loaded: await loadConfig(configPath), version: "0.0.0-test", log: quietLog });
      const query = () =>
        fetch(`https://localhost:${port}/v1/groups/sales/db/main/query`, {
          method: "POST", body: JSON.stringify({ sql: "select 42 as answer" }),
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, tls: { ca: ca.certPem },
        });
      await waitFor(async () => (await query()).status === 200, "the agent to serve a query", 20_000);
      const answer = await (await query()).text();
      expect(answer).toContain("42");
    } finally {
      await agent?.shutdown();
      serve.kill("SIGTERM");
      await serve.exited;
    }
    const [stdout, stderr] = await output;
    expect(stdout).toContain("gateway listening");
    expect(stderr).toContain(`"store":"postgres://${pg.user}:***@127.0.0.1:${pg.port}/`);
    expect(stdout + stderr).not.toContain(pg.password);
  }, 60_000);
});

// Last: it stops the server under every store of this file.
describe("PostgresGatewayStore while PostgreSQL is down", () => {
  test("changeVersion moves on every read (nothing is cached) until LISTEN is back; then it holds still", async () => {
    const url = await freshDatabase();
    const states: boolean[] = [];
    const store = await track(openPostgresStore({ url, onListenState: (listening) => states.push(listening) }));
    // The test server commits asynchronously and stops with -m immediate: flush first.
    await pg.psql("CHECKPOINT");
    await pg.stopServer();
    try {
      expect(await within(5000, () => states.includes(false))).toBe(true);
      const first = store.changeVersion();
      expect(store.changeVersion()).not.toBe(first);
    } finally {
      await pg.startServer();
    }
    expect(await within(15_000, () => states.at(-1) === true)).toBe(true);
    const back = store.changeVersion();
    expect(store.changeVersion()).toBe(back);
    expect(await store.getSetting("nothing")).toBeUndefined();
  }, 30_000);
});
