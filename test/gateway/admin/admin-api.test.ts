import { beforeEach, describe, expect, test } from "bun:test";
import { adminFixture, type AdminFixture } from "./admin-fixture.ts";

const KEY = Buffer.alloc(32, 7).toString("base64");
const KEY2 = Buffer.alloc(32, 8).toString("base64");

let f: AdminFixture;
beforeEach(async () => {
  f = await adminFixture();
});

describe("routing", () => {
  test("paths outside the admin table are left to the caller", async () => {
    expect((await f.call("POST", "/v1/groups/sales/db/orders/query")).status).toBe(0);
    expect((await f.call("GET", "/healthz")).status).toBe(0);
  });

  test("a known path with another method is 405 with Allow", async () => {
    const res = await f.call("PUT", "/v1/groups");
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("POST, GET");
    expect(res.body.error.code).toBe("METHOD_NOT_ALLOWED");
  });

  test("errors carry code, message, retryable and the request id", async () => {
    const res = await f.call("GET", "/v1/groups/nope");
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: { code: "NOT_FOUND", message: 'group "nope" does not exist', retryable: false, requestId: "req-1" } });
    expect(res.headers.get("x-request-id")).toBe("req-1");
  });

  test("bad JSON is 400", async () => {
    const res = await f.call("POST", "/v1/groups", { body: "{nope" });
    expect([res.status, res.body.error.message]).toEqual([400, "request body is not valid JSON"]);
    expect((await f.call("POST", "/v1/groups", { body: [1] })).status).toBe(400);
  });
});

describe("groups", () => {
  test("a validation error names the request field it is about", async () => {
    const fieldOf = async (body: unknown) => (await f.call("POST", "/v1/groups", { body })).body.error.field;
    expect(await fieldOf({ name: "bad name" })).toBe("name");
    expect(await fieldOf({ name: "x", settings: "open" })).toBe("settings");
    expect(await fieldOf({ name: "x", settings: { allowedCidrs: ["10.0.0.1/8"] } })).toBe("settings.allowedCidrs");
    expect(await fieldOf({ name: "x", settings: { allowedCidrs: "10.0.0.0/8" } })).toBe("settings.allowedCidrs");
    expect(await fieldOf({ name: "x", settings: { alertWebhooks: ["ftp://hooks.test/a"] } })).toBe("settings.alertWebhooks");
    expect(await fieldOf({ name: "x", settings: { allowedCIDRs: [] } })).toBe("settings.allowedCIDRs");
    // Errors about no single field carry none.
    expect(await f.call("GET", "/v1/groups/nope").then((r) => r.body.error)).not.toHaveProperty("field");
  });

  test("create, list, show, update settings, delete", async () => {
    const created = await f.call("POST", "/v1/groups", { body: { name: "sales", settings: { allowedCidrs: ["10.0.0.0/8"] } } });
    expect(created.status).toBe(201);
    expect(created.body.group).toMatchObject({ name: "sales", status: "inactive", settings: { allowedCidrs: ["10.0.0.0/8"] }, agentCount: 0 });
    expect((await f.call("POST", "/v1/groups", { body: { name: "sales" } })).status).toBe(409);
    expect((await f.call("POST", "/v1/groups", { body: { name: "bad name" } })).status).toBe(400);
    expect((await f.call("POST", "/v1/groups", { body: { name: "x", settings: { allowedCidrs: ["10.0.0.1/8"] } } })).body.error.message).toBe(
      'invalid CIDR "10.0.0.1/8": host bits are set; did you mean 10.0.0.0/8?',
    );

    const list = await f.call("GET", "/v1/groups");
    expect(list.body.groups.map((g: any) => g.name)).toEqual(["sales"]);

    const patched = await f.call("PATCH", "/v1/groups/sales", { body: { settings: { allowedCidrs: ["2001:db8::/32"], alertWebhooks: ["https://hooks.test/a"] } } });
    expect(patched.status).toBe(200);
    expect(patched.body.group.settings).toEqual({ allowedCidrs: ["2001:db8::/32"], alertWebhooks: ["https://hooks.test/a"] });
    const typo = await f.call("PATCH", "/v1/groups/sales", { body: { settings: { allowedCIDRs: [] } } });
    expect([typo.status, typo.body.error.message]).toEqual([400, 'unknown group setting "allowedCIDRs" (known: allowedCidrs, alertWebhooks)']);

    const show = await f.call("GET", "/v1/groups/sales");
    expect(show.body).toMatchObject({ group: { name: "sales" }, agents: [] });

    expect((await f.call("DELETE", "/v1/groups/sales")).body).toEqual({ deleted: { group: "sales", agentsRemoved: 0 } });
    expect((await f.call("GET", "/v1/groups/sales")).status).toBe(404);
  });

  test("deleting a group with agents is 409 unless ?force=1, and reports the removed agents", async () => {
    await f.call("POST", "/v1/groups", { body: { name: "sales" } });
    const added = await f.call("POST", "/v1/groups/sales/agents", { body: { name: "db01" } });
    const refused = await f.call("DELETE", "/v1/groups/sales");
    expect([refused.status, refused.body.error.code]).toEqual([409, "CONFLICT"]);
    const forced = await f.call("DELETE", "/v1/groups/sales?force=1");
    expect(forced.body).toEqual({ deleted: { group: "sales", agentsRemoved: 1 } });
    expect(f.changed).toEqual([added.body.agent.id]);
  });

  test("a scoped token sees only its groups and gets 403 elsewhere; only admins change things", async () => {
    await f.call("POST", "/v1/groups", { body: { name: "sales" } });
    await f.call("POST", "/v1/groups", { body: { name: "hr" } });
    const token = (await f.call("POST", "/v1/admin/tokens", { body: { name: "sales-app", groups: ["sales"] } })).body.secret;
    expect((await f.call("GET", "/v1/groups", { token })).body.groups.map((g: any) => g.name)).toEqual(["sales"]);
    expect((await f.call("GET", "/v1/groups/sales", { token })).status).toBe(200);
    expect((await f.call("GET", "/v1/groups/hr", { token })).status).toBe(403);
    expect((await f.call("GET", "/v1/groups/hr/agents", { token })).status).toBe(403);
    expect((await f.call("POST", "/v1/groups", { token, body: { name: "x" } })).status).toBe(403);
    expect((await f.call("DELETE", "/v1/groups/sales", { token })).status).toBe(403);
    expect((await f.call("POST", "/v1/groups/sales/agents", { token, body: { name: "a" } })).status).toBe(403);
    expect((await f.call("GET", "/v1/admin/tokens", { token })).status).toBe(403);
    expect((await f.call("GET", "/v1/groups", { token: null })).status).toBe(401);
  });

  test("webhook URLs (their path is often the secret) are shown whole to admins only", async () => {
    await f.call("POST", "/v1/groups", { body: { name: "ops", settings: { alertWebhooks: ["https://hooks.slack.com/services/T0/B0/s3cr3t"] } } });
    const token = (await f.call("POST", "/v1/admin/tokens", { body: { name: "ops-app", groups: ["ops"] } })).body.secret;
    expect((await f.call("GET", "/v1/groups/ops")).body.group.settings.alertWebhooks).toEqual(["https://hooks.slack.com/services/T0/B0/s3cr3t"]);
    const scoped = await f.call("GET", "/v1/groups/ops", { token });
    expect(scoped.body.group.settings.alertWebhooks).toEqual(["https://hooks.slack.com/…"]);
    expect(JSON.stringify((await f.call("GET", "/v1/groups", { token })).body)).not.toContain("s3cr3t");
  });
});

describe("agents", () => {
  beforeEach(async () => {
    await f.call("POST", "/v1/groups", { body: { name: "sales" } });
  });

  test("add returns a one-time code valid for one hour and the exact activate command", async () => {
    const res = await f.call("POST", "/v1/groups/sales/agents", { body: { name: "db01" } });
    expect(res.status).toBe(201);
    expect(res.body.agent).toMatchObject({ group: "sales", name: "db01", status: "awaiting_setup", publicKey: null });
    expect(res.body.activationCode).toMatch(/^opa_[0-9A-Za-z]{32}$/);
    expect(res.body.expiresAt).toBe(new Date(1_700_000_000_000 + 3_600_000).toISOString());
    expect(res.body.command).toBe(`outpost activate ${res.body.activationCode} --gateway wss://gw.example.test`);
    expect((await f.call("POST", "/v1/groups/sales/agents", { body: { name: "db01" } })).body.error.message).toBe(
      'agent "db01" already exists in group "sales"',
    );
    expect((await f.call("POST", "/v1/groups/nope/agents", { body: { name: "db01" } })).status).toBe(404);
  });

  test("status merges the store with the live registry; a group is active with one active agent", async () => {
    const code = (await f.call("POST", "/v1/groups/sales/agents", { body: { name: "db01" } })).body.activationCode;
    await f.call("POST", "/v1/groups/sales/agents", { body: { name: "db02" } });
    const activated = await f.call("POST", "/v1/activate", { token: null, body: { code, publicKey: KEY, info: { version: "1.0.0" } } });
    const id = activated.body.agentId;
    expect((await f.call("GET", "/v1/groups/sales/agents/db01")).body.agent.status).toBe("no_response");
    f.live.set(id, { state: "active", remoteIp: "198.51.100.4", connectedSince: 1_700_000_000_000, inFlight: 2, info: { version: "1.0.1" } });
    const show = await f.call("GET", "/v1/groups/sales/agents/db01");
    expect(show.body.agent).toMatchObject({
      status: "active",
      connection: { remoteIp: "198.51.100.4", connectedSince: "2023-11-14T22:13:20.000Z", inFlight: 2 },
      info: { version: "1.0.1" },
    });
    const list = await f.call("GET", "/v1/groups/sales/agents");
    expect(list.body.agents.map((a: any) => [a.name, a.status])).toEqual([["db01", "active"], ["db02", "awaiting_setup"]]);
    expect((await f.call("GET", "/v1/groups/sales")).body.group).toMatchObject({ status: "active", agentCount: 2, activeAgents: 1 });
    f.live.set(id, { state: "no_response", remoteIp: "198.51.100.4", connectedSince: 0, inFlight: 0 });
    expect((await f.call("GET", "/v1/groups")).body.groups[0].status).toBe("inactive");
  });

  test("enable, disable, remove notify the registry hook", async () => {
    const code = (await f.call("POST", "/v1/groups/sales/agents", { body: { name: "db01" } })).body.activationCode;
    expect((await f.call("POST", "/v1/groups/sales/agents/db01/enable")).status).toBe(409);
    const id = (await f.call("POST", "/v1/activate", { token: null, body: { code, publicKey: KEY } })).body.agentId;
    f.changed.length = 0;
    f.live.set(id, { state: "active", remoteIp: "198.51.100.4", connectedSince: 0, inFlight: 0 });
    expect((await f.call("POST", "/v1/groups/sales/agents/db01/disable")).body.agent.status).toBe("disabled");
    expect((await f.call("POST", "/v1/groups/sales/agents/db01/enable")).body.agent.status).toBe("active");
    const removed = await f.call("DELETE", "/v1/groups/sales/agents/db01");
    expect(removed.body).toEqual({ deleted: { group: "sales", agent: "db01", id } });
    expect(f.changed).toEqual([id, id, id]);
    expect((await f.call("GET", "/v1/groups/sales/agents/db01")).status).toBe(404);
  });

  test("a new activation code replaces the unused one", async () => {
    const first = (await f.call("POST", "/v1/groups/sales/agents", { body: { name: "db01" } })).body.activationCode;
    const again = await f.call("POST", "/v1/groups/sales/agents/db01/activation-code");
    expect(again.status).toBe(201);
    expect(again.body.activationCode).not.toBe(first);
    expect((await f.call("POST", "/v1/activate", { token: null, body: { code: first, publicKey: KEY } })).status).toBe(401);
    expect((await f.call("POST", "/v1/activate", { token: null, body: { code: again.body.activationCode, publicKey: KEY } })).status).toBe(200);
  });
});

describe("activation", () => {
  let code: string;
  beforeEach(async () => {
    await f.call("POST", "/v1/groups", { body: { name: "sales" } });
    code = (await f.call("POST", "/v1/groups/sales/agents", { body: { name: "db01" } })).body.activationCode;
  });

  test("a valid code registers the key and answers the agent's id, group and gateway URL", async () => {
    const res = await f.call("POST", "/v1/activate", { token: null, body: { code, publicKey: KEY, info: { hostname: "db01.lan" } } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ agentName: "db01", group: "sales", gatewayUrl: "wss://gw.example.test" });
    const agent = await f.store.getAgent(res.body.agentId);
    expect(agent).toMatchObject({ status: "enabled", publicKey: KEY, info: { hostname: "db01.lan" } });
  });

  test("used and expired codes are 410; unknown codes 401; bad input 400", async () => {
    await f.call("POST", "/v1/activate", { token: null, body: { code, publicKey: KEY } });
    const used = await f.call("POST", "/v1/activate", { token: null, body: { code, publicKey: KEY2 } });
    expect([used.status, used.body.error.code]).toEqual([410, "GONE"]);
    expect(used.body.error.message).toStartWith("activation code has already been used");

    const fresh = (await f.call("POST", "/v1/groups/sales/agents", { body: { name: "db02" } })).body.activationCode;
    f.advance(3_600_000);
    const expired = await f.call("POST", "/v1/activate", { token: null, body: { code: fresh, publicKey: KEY2 } });
    expect(expired.status).toBe(410);
    expect(expired.body.error.message).toStartWith("activation code expired at 2023-11-14T23:13:20.000Z");

    const unknown = await f.call("POST", "/v1/activate", { token: null, body: { code: "opa_nope", publicKey: KEY2 } });
    expect([unknown.status, unknown.body.error.message]).toEqual([401, "activation code is not valid"]);
    expect((await f.call("POST", "/v1/activate", { token: null, body: { code: "x", publicKey: KEY2 } })).status).toBe(400);
    expect((await f.call("POST", "/v1/activate", { token: null, body: { code, publicKey: "short" } })).status).toBe(400);
  });

  test("a key already held by another agent is refused without spending the code", async () => {
    await f.call("POST", "/v1/activate", { token: null, body: { code, publicKey: KEY } });
    const other = (await f.call("POST", "/v1/groups/sales/agents", { body: { name: "db02" } })).body.activationCode;
    expect((await f.call("POST", "/v1/activate", { token: null, body: { code: other, publicKey: KEY } })).status).toBe(409);
    expect((await f.call("POST", "/v1/activate", { token: null, body: { code: other, publicKey: KEY2 } })).status).toBe(200);
  });

  test("guessing codes gets the address rate limited (429 with Retry-After)", async () => {
    let last;
    for (let i = 0; i < 11; i++) last = await f.call("POST", "/v1/activate", { token: null, ip: "203.0.113.5", body: { code: `opa_${i}`, publicKey: KEY } });
    expect(last!.status).toBe(429);
    expect(last!.headers.get("retry-after")).toBe("6");
    expect(last!.body.error.retryable).toBe(true);
    expect((await f.call("POST", "/v1/activate", { token: null, ip: "203.0.113.6", body: { code, publicKey: KEY } })).status).toBe(200);
  });
});

describe("tokens", () => {
  test("create returns the secret once; list never shows it; revoke by name or id", async () => {
    await f.call("POST", "/v1/groups", { body: { name: "sales" } });
    const created = await f.call("POST", "/v1/admin/tokens", { body: { name: "ci", groups: ["sales"] } });
    expect(created.status).toBe(201);
    expect(created.body.secret).toMatch(/^opt_/);
    expect(created.body.token).toMatchObject({ name: "ci", admin: false, groups: ["sales"], revokedAt: null });
    const list = await f.call("GET", "/v1/admin/tokens");
    expect(JSON.stringify(list.body)).not.toContain(created.body.secret);
    expect(list.body.tokens.map((t: any) => t.name)).toEqual(["root", "ci"]);
    expect((await f.call("POST", "/v1/admin/tokens", { body: { name: "x", groups: ["nope"] } })).status).toBe(404);
    expect((await f.call("POST", "/v1/admin/tokens", { body: { name: "x", groups: ["sales"], admin: true } })).status).toBe(400);

    expect((await f.call("GET", "/v1/groups", { token: created.body.secret })).status).toBe(200);
    const revoked = await f.call("DELETE", "/v1/admin/tokens/ci");
    expect(revoked.body.token.revokedAt).not.toBeNull();
    const after = await f.call("GET", "/v1/groups", { token: created.body.secret });
    expect([after.status, after.body.error.message]).toEqual([401, "this API token has been revoked"]);
    expect((await f.call("DELETE", "/v1/admin/tokens/ci")).status).toBe(404);
    expect((await f.call("DELETE", `/v1/admin/tokens/${created.body.token.id}`)).status).toBe(200);
  });

  test("a rolling upgrade is requested and read back with ISO times, like every other time", async () => {
    await f.call("POST", "/v1/groups", { body: { name: "sales" } });
    const requested = await f.call("POST", "/v1/groups/sales/upgrade", { body: { version: "1.2.0" } });
    expect(requested.status).toBe(202);
    const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
    const { version, state, requestedAt, updatedAt } = requested.body.rollout;
    expect([version, state]).toEqual(["1.2.0", "pending"]);
    expect(requestedAt).toMatch(ISO);
    expect(updatedAt).toMatch(ISO);
    const read = await f.call("GET", "/v1/groups/sales/upgrade");
    expect(read.body.rollout.requestedAt).toBe(requestedAt);
  });
});
