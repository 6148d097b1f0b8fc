import { describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openGatewayStore } from "../../../src/gateway/store/open-gateway-store.ts";
import { MIGRATIONS } from "../../../src/gateway/store/sqlite-schema.ts";
import { SqliteGatewayStore } from "../../../src/gateway/store/sqlite-store.ts";
import { runStoreConformance } from "./store-conformance.ts";

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "outpost-store-"));
}

runStoreConformance("SqliteGatewayStore", async () => {
  let clock = 1_700_000_000_000;
  const store = await openGatewayStore(join(tempDir(), "data"), { now: () => clock });
  return { store, advance: (ms) => (clock += ms) };
});

describe("SqliteGatewayStore on disk", () => {
  test("first start creates a 0700 folder, a 0600 gateway.db in WAL mode, at the latest schema version", async () => {
    const dir = join(tempDir(), "nested", "data");
    const store = await openGatewayStore(dir);
    await store.createGroup({ name: "sales" });
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, "gateway.db")).mode & 0o777).toBe(0o600);
    const db = new Database(join(dir, "gateway.db"), { readonly: true });
    expect(db.query<{ journal_mode: string }, []>("PRAGMA journal_mode").get()?.journal_mode).toBe("wal");
    expect(db.query<{ version: number }, []>("SELECT version FROM schema_version").get()?.version).toBe(MIGRATIONS.length);
    db.close();
    await store.close();
    // Reopening migrates nothing and keeps the data.
    const again = await openGatewayStore(dir);
    expect((await again.listGroups()).map((g) => g.name)).toEqual(["sales"]);
    await again.close();
  });

  test("a database from a newer binary is refused", async () => {
    const path = join(tempDir(), "gateway.db");
    new SqliteGatewayStore({ path }).close();
    const db = new Database(path);
    db.run("UPDATE schema_version SET version = 999");
    db.close();
    expect(() => new SqliteGatewayStore({ path })).toThrow(/newer than this binary/);
  });

  test("two connections on one file (the CLI beside a running gateway) see each other's writes", async () => {
    const dir = tempDir();
    const a = await openGatewayStore(dir);
    const b = await openGatewayStore(dir);
    await a.createGroup({ name: "sales" });
    expect((await b.getGroupByName("sales"))?.name).toBe("sales");
    await a.close();
    await b.close();
  });

  test("concurrent redemptions of one code from separate processes: exactly one wins", async () => {
    const dir = tempDir();
    const store = await openGatewayStore(dir);
    const group = await store.createGroup({ name: "sales" });
    const agent = await store.createAgent({ groupId: group.id, name: "a1" });
    await store.addActivationCode({ codeHash: "race", agentId: agent.id, expiresAt: Date.now() + 60_000 });
    await store.close();
    const startAt = String(Date.now() + 1500);
    const workers = Array.from({ length: 6 }, (_, index) =>
      Bun.spawn(["bun", join(import.meta.dir, "redeem-worker.ts"), join(dir, "gateway.db"), "race", Buffer.alloc(32, index).toString("base64")], {
        env: { ...process.env, START_AT: startAt },
        stdout: "pipe",
        stderr: "inherit",
      }),
    );
    const results = await Promise.all(workers.map(async (worker) => JSON.parse(await new Response(worker.stdout).text())));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok).map((r) => r.reason)).toEqual(["used", "used", "used", "used", "used"]);
  });
});

describe("SqliteGatewayStore changeVersion", () => {
  test("moves within a second when another connection (the CLI in another process) commits", async () => {
    const dir = join(tempDir(), "data");
    const store = await openGatewayStore(dir);
    const before = store.changeVersion();
    await Bun.sleep(300);
    expect(store.changeVersion()).toBe(before);
    const other = new Database(join(dir, "gateway.db"));
    other.run("INSERT INTO settings (key, value) VALUES ('from-elsewhere', '1')");
    other.close();
    const until = Date.now() + 1000;
    while (store.changeVersion() === before && Date.now() < until) await Bun.sleep(20);
    expect(store.changeVersion()).not.toBe(before);
    await store.close();
  });
});
