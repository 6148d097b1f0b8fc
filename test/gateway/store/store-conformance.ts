/**
 * @module
 * The behaviour every `GatewayStore` must show, as one suite each implementation runs
 * (`runStoreConformance({ newStore })`): SQLite today, PostgreSQL later.
 */
import { beforeEach, describe, expect, test } from "bun:test";
import { GatewayError } from "../../../src/gateway/http-errors.ts";
import type { GatewayStore } from "../../../src/gateway/store/store.ts";

export interface StoreFixture {
  store: GatewayStore;
  /** Moves the store's clock. */
  advance(ms: number): void;
}

const KEY_A = Buffer.alloc(32, 1).toString("base64");
const KEY_B = Buffer.alloc(32, 2).toString("base64");

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(GatewayError);
    return (error as GatewayError).code;
  }
  throw new Error("expected a GatewayError");
}

export function runStoreConformance(name: string, newStore: () => Promise<StoreFixture>): void {
  describe(`${name} conforms to GatewayStore`, () => {
    let f: StoreFixture;
    beforeEach(async () => {
      f = await newStore();
    });

    test("groups: create, read, list by name, update settings, duplicates refused", async () => {
      const sales = await f.store.createGroup({ name: "sales" });
      await f.store.createGroup({ name: "hr", settings: { allowedCidrs: ["10.0.0.0/8"] } });
      expect(sales.settings).toEqual({ allowedCidrs: [] });
      expect(await f.store.getGroup(sales.id)).toEqual(sales);
      expect((await f.store.getGroupByName("sales"))?.id).toBe(sales.id);
      expect(await f.store.getGroupByName("nope")).toBeUndefined();
      expect((await f.store.listGroups()).map((g) => g.name)).toEqual(["hr", "sales"]);
      const updated = await f.store.updateGroupSettings(sales.id, { allowedCidrs: ["::1/128"], alertWebhooks: ["https://x.test/"] });
      expect((await f.store.getGroup(sales.id))?.settings).toEqual(updated.settings);
      expect(await codeOf(f.store.createGroup({ name: "sales" }))).toBe("ALREADY_EXISTS");
      expect(await codeOf(f.store.updateGroupSettings("missing", { allowedCidrs: [] }))).toBe("NOT_FOUND");
    });

    test("deleting a group with agents needs force, which removes the agents", async () => {
      const group = await f.store.createGroup({ name: "sales" });
      const agent = await f.store.createAgent({ groupId: group.id, name: "a1" });
      expect(await codeOf(f.store.deleteGroup(group.id))).toBe("CONFLICT");
      expect(await f.store.deleteGroup(group.id, { force: true })).toEqual({ agentsRemoved: 1 });
      expect(await f.store.getAgent(agent.id)).toBeUndefined();
      expect(await f.store.listGroups()).toEqual([]);
      expect(await codeOf(f.store.deleteGroup(group.id))).toBe("NOT_FOUND");
    });

    test("agents: create awaiting setup, unique per group, list, seen, status, delete", async () => {
      const sales = await f.store.createGroup({ name: "sales" });
      const hr = await f.store.createGroup({ name: "hr" });
      const a2 = await f.store.createAgent({ groupId: sales.id, name: "b" });
      const a1 = await f.store.createAgent({ groupId: sales.id, name: "a" });
      await f.store.createAgent({ groupId: hr.id, name: "a" });
      expect(a1.status).toBe("awaiting_setup");
      expect(a1.publicKey).toBeNull();
      expect(await codeOf(f.store.createAgent({ groupId: sales.id, name: "a" }))).toBe("ALREADY_EXISTS");
      expect(await codeOf(f.store.createAgent({ groupId: "nope", name: "x" }))).toBe("NOT_FOUND");
      expect((await f.store.listAgents(sales.id)).map((a) => a.name)).toEqual(["a", "b"]);
      expect(await f.store.listAgents()).toHaveLength(3);
      expect((await f.store.getAgentByName(sales.id, "b"))?.id).toBe(a2.id);
      expect(await codeOf(f.store.setAgentStatus(a1.id, "enabled"))).toBe("CONFLICT");
      expect((await f.store.setAgentStatus(a1.id, "disabled")).status).toBe("disabled");
      f.advance(5000);
      await f.store.recordAgentSeen(a1.id, { version: "1.2.3", hostname: "db01" });
      const seen = await f.store.getAgent(a1.id);
      expect(seen?.lastSeenAt).toBe(a1.createdAt + 5000);
      expect(seen?.info).toEqual({ version: "1.2.3", hostname: "db01" });
      await f.store.recordAgentSeen(a1.id);
      expect((await f.store.getAgent(a1.id))?.info?.hostname).toBe("db01");
      await f.store.deleteAgent(a1.id);
      expect(await f.store.getAgent(a1.id)).toBeUndefined();
      expect(await codeOf(f.store.deleteAgent(a1.id))).toBe("NOT_FOUND");
    });

    test("activation codes: one-time, expire, a new code replaces the unused one", async () => {
      const group = await f.store.createGroup({ name: "sales" });
      const agent = await f.store.createAgent({ groupId: group.id, name: "a1" });
      await f.store.addActivationCode({ codeHash: "h1", agentId: agent.id, expiresAt: agent.createdAt + 3_600_000 });
      await f.store.addActivationCode({ codeHash: "h2", agentId: agent.id, expiresAt: agent.createdAt + 3_600_000 });
      expect(await f.store.redeemActivationCode({ codeHash: "h1", publicKey: KEY_A })).toEqual({ ok: false, reason: "unknown" });
      const ok = await f.store.redeemActivationCode({ codeHash: "h2", publicKey: KEY_A, info: { version: "1.0.0" } });
      expect(ok.ok).toBe(true);
      if (ok.ok) {
        expect(ok.agent.status).toBe("enabled");
        expect(ok.agent.publicKey).toBe(KEY_A);
        expect(ok.agent.activatedAt).toBe(agent.createdAt);
        expect(ok.agent.info).toEqual({ version: "1.0.0" });
      }
      expect(await f.store.redeemActivationCode({ codeHash: "h2", publicKey: KEY_B })).toEqual({ ok: false, reason: "used" });
      expect((await f.store.findAgentByPublicKey(KEY_A))?.id).toBe(agent.id);

      await f.store.addActivationCode({ codeHash: "h3", agentId: agent.id, expiresAt: agent.createdAt + 1000 });
      f.advance(1000);
      expect(await f.store.redeemActivationCode({ codeHash: "h3", publicKey: KEY_B })).toEqual({
        ok: false, reason: "expired", expiresAt: agent.createdAt + 1000,
      });
      expect(await codeOf(f.store.addActivationCode({ codeHash: "h4", agentId: "nope", expiresAt: 1 }))).toBe("NOT_FOUND");
    });

    test("re-activating a disabled agent keeps it disabled and replaces its key", async () => {
      const group = await f.store.createGroup({ name: "sales" });
      const agent = await f.store.createAgent({ groupId: group.id, name: "a1" });
      await f.store.addActivationCode({ codeHash: "h1", agentId: agent.id, expiresAt: agent.createdAt + 10 });
      await f.store.redeemActivationCode({ codeHash: "h1", publicKey: KEY_A });
      await f.store.setAgentStatus(agent.id, "disabled");
      await f.store.addActivationCode({ codeHash: "h2", agentId: agent.id, expiresAt: agent.createdAt + 10 });
      const again = await f.store.redeemActivationCode({ codeHash: "h2", publicKey: KEY_B });
      expect(again.ok && again.agent.status).toBe("disabled");
      expect(again.ok && again.agent.publicKey).toBe(KEY_B);
      expect(await f.store.findAgentByPublicKey(KEY_A)).toBeUndefined();
    });

    test("key rotation accepts both keys until completed", async () => {
      const group = await f.store.createGroup({ name: "sales" });
      const agent = await f.store.createAgent({ groupId: group.id, name: "a1" });
      expect(await codeOf(f.store.beginKeyRotation(agent.id, KEY_B))).toBe("CONFLICT");
      await f.store.addActivationCode({ codeHash: "h1", agentId: agent.id, expiresAt: agent.createdAt + 10 });
      await f.store.redeemActivationCode({ codeHash: "h1", publicKey: KEY_A });
      const rotating = await f.store.beginKeyRotation(agent.id, KEY_B);
      expect(rotating).toMatchObject({ publicKey: KEY_B, previousPublicKey: KEY_A });
      expect(rotating.keyRotationStartedAt).not.toBeNull();
      expect((await f.store.findAgentByPublicKey(KEY_A))?.id).toBe(agent.id);
      expect((await f.store.findAgentByPublicKey(KEY_B))?.id).toBe(agent.id);
      const done = await f.store.completeKeyRotation(agent.id);
      expect(done).toMatchObject({ publicKey: KEY_B, previousPublicKey: null, keyRotationStartedAt: null });
      expect(await f.store.findAgentByPublicKey(KEY_A)).toBeUndefined();
    });

    test("API tokens: stored by hash, names unique among live tokens, revoke, touch", async () => {
      const t1 = await f.store.createApiToken({ name: "ci", secretHash: "hash1", groups: ["sales"], admin: false });
      expect(t1).toMatchObject({ name: "ci", groups: ["sales"], admin: false, lastUsedAt: null, revokedAt: null });
      expect(await codeOf(f.store.createApiToken({ name: "ci", secretHash: "hash2", groups: null, admin: true }))).toBe("ALREADY_EXISTS");
      expect(await f.store.findApiTokenByHash("hash1")).toEqual({ ...t1, secretHash: "hash1" });
      expect(await f.store.findApiTokenByHash("nope")).toBeUndefined();
      f.advance(10);
      await f.store.touchApiToken(t1.id);
      expect((await f.store.getApiToken(t1.id))?.lastUsedAt).toBe(t1.createdAt + 10);
      const revoked = await f.store.revokeApiToken(t1.id);
      expect(revoked.revokedAt).toBe(t1.createdAt + 10);
      const t2 = await f.store.createApiToken({ name: "ci", secretHash: "hash2", groups: null, admin: true });
      expect((await f.store.listApiTokens()).map((t) => t.id)).toEqual([t1.id, t2.id]);
      expect((await f.store.findApiTokenByHash("hash1"))?.revokedAt).not.toBeNull();
      expect(await codeOf(f.store.revokeApiToken("nope"))).toBe("NOT_FOUND");
    });

    test("changeVersion moves after every write but a token touch", async () => {
      const moved = async (write: () => Promise<unknown>) => {
        const before = f.store.changeVersion();
        await write();
        return f.store.changeVersion() !== before;
      };
      const group = await f.store.createGroup({ name: "sales" });
      expect(await moved(() => f.store.updateGroupSettings(group.id, { allowedCidrs: ["10.0.0.0/8"] }))).toBe(true);
      const agent = await f.store.createAgent({ groupId: group.id, name: "a1" });
      expect(await moved(() => f.store.addActivationCode({ codeHash: "h1", agentId: agent.id, expiresAt: agent.createdAt + 10 }))).toBe(true);
      expect(await moved(() => f.store.redeemActivationCode({ codeHash: "h1", publicKey: KEY_A }))).toBe(true);
      expect(await moved(() => f.store.setAgentStatus(agent.id, "disabled"))).toBe(true);
      const token = await f.store.createApiToken({ name: "ci", secretHash: "s1", groups: null, admin: false });
      expect(await moved(() => f.store.touchApiToken(token.id))).toBe(false);
      expect(await moved(() => f.store.revokeApiToken(token.id))).toBe(true);
      expect(await moved(() => f.store.setSetting("k", 1))).toBe(true);
      expect(await moved(() => f.store.deleteAgent(agent.id))).toBe(true);
      expect(await moved(() => f.store.getGroup(group.id))).toBe(false);
    });

    test("settings hold JSON values", async () => {
      expect(await f.store.getSetting("publicUrl")).toBeUndefined();
      await f.store.setSetting("publicUrl", "wss://gw.test");
      await f.store.setSetting("limits", { a: [1, 2] });
      await f.store.setSetting("publicUrl", "wss://gw2.test");
      expect(await f.store.getSetting("publicUrl")).toBe("wss://gw2.test");
      expect(await f.store.getSetting("limits")).toEqual({ a: [1, 2] });
    });
  });
}
