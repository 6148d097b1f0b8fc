import { beforeEach, describe, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger, type Level } from "../../../src/log/logger.ts";
import { Authenticator, authorizeGroup, requireAdmin, type Principal } from "../../../src/gateway/auth/authenticator.ts";
import { FailureLimiter } from "../../../src/gateway/auth/failure-limiter.ts";
import { AdminService } from "../../../src/gateway/admin/admin-service.ts";
import { GatewayError } from "../../../src/gateway/http-errors.ts";
import { openGatewayStore } from "../../../src/gateway/store/open-gateway-store.ts";
import type { GatewayStore } from "../../../src/gateway/store/store.ts";

function request(token?: string): Request {
  return new Request("http://gw.test/v1/groups", { headers: token === undefined ? {} : { authorization: token } });
}

async function failure(promise: Promise<unknown>): Promise<GatewayError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error("expected a GatewayError");
}

describe("Authenticator", () => {
  let dir: string;
  let store: GatewayStore;
  let service: AdminService;
  let auth: Authenticator;
  let lines: string[];
  let clock: number;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "outpost-auth-"));
    clock = 1_700_000_000_000;
    store = await openGatewayStore(dir, { now: () => clock });
    service = new AdminService({ store, now: () => clock });
    await store.createGroup({ name: "sales" });
    lines = [];
    const log = createLogger("gateway", { format: "json", sinks: [{ write: (line: string, _level: Level) => lines.push(line) }] });
    auth = new Authenticator({ store, log, now: () => clock, limiter: new FailureLimiter({ maxFailures: 3, now: () => clock }) });
  });

  test("a valid bearer token yields its principal and records lastUsedAt", async () => {
    const { token, secret } = await service.createToken({ name: "ci", groups: ["sales"] });
    const principal = await auth.authenticate(request(`Bearer ${secret}`), "10.0.0.1");
    expect(principal).toEqual({ tokenId: token.id, name: "ci", admin: false, groups: ["sales"] });
    expect((await store.getApiToken(token.id))?.lastUsedAt).toBe(clock);
  });

  test("the secret is never stored: not in the database files, only its hash", async () => {
    const { secret } = await service.createToken({ name: "ci", admin: true });
    await auth.authenticate(request(`Bearer ${secret}`), "10.0.0.1");
    await store.close();
    const bytes = readdirSync(dir).map((file) => readFileSync(join(dir, file)).toString("latin1")).join("");
    expect(bytes).toContain("ci");
    expect(bytes).not.toContain(secret);
    expect(bytes).not.toContain(secret.slice(4));
  });

  test("missing, malformed, unknown and revoked tokens are 401", async () => {
    const { token, secret } = await service.createToken({ name: "ci" });
    expect((await failure(auth.authenticate(request(), "10.0.0.1"))).status).toBe(401);
    expect((await failure(auth.authenticate(request(`Basic ${secret}`), "10.0.0.2"))).status).toBe(401);
    expect((await failure(auth.authenticate(request("Bearer opt_nope"), "10.0.0.3"))).status).toBe(401);
    const other = `opt_${"A".repeat(43)}`;
    expect((await failure(auth.authenticate(request(`Bearer ${other}`), "10.0.0.4"))).message).toBe("invalid API token");
    await store.revokeApiToken(token.id);
    const revoked = await failure(auth.authenticate(request(`Bearer ${secret}`), "10.0.0.5"));
    expect([revoked.status, revoked.message]).toEqual([401, "this API token has been revoked"]);
  });

  test("failures are logged with the address but never with the presented token", async () => {
    const { token, secret } = await service.createToken({ name: "ci" });
    await store.revokeApiToken(token.id);
    await failure(auth.authenticate(request(`Bearer ${secret}`), "10.9.9.9"));
    const guess = `opt_${"B".repeat(43)}`;
    await failure(auth.authenticate(request(`Bearer ${guess}`), "10.9.9.9"));
    expect(lines).toHaveLength(2);
    expect(lines.join("\n")).toContain("10.9.9.9");
    expect(JSON.parse(lines[0]!)).toMatchObject({ msg: "authentication failed", reason: "revoked", name: "ci" });
    expect(lines.join("\n")).not.toContain(secret.slice(4));
    expect(lines.join("\n")).not.toContain("BBBBBBBB");
  });

  test("after 3 failures from one address its guesses get 429 with Retry-After; a valid token from there still works", async () => {
    const { secret } = await service.createToken({ name: "ci" });
    for (let i = 0; i < 3; i++) await failure(auth.authenticate(request(`Bearer opt_${i}`), "10.0.0.9"));
    const blocked = await failure(auth.authenticate(request("Bearer opt_4"), "10.0.0.9"));
    expect([blocked.status, blocked.code, blocked.retryable, blocked.retryAfterSeconds]).toEqual([429, "RATE_LIMITED", true, 20]);
    // One noisy client behind a shared address (NAT, load balancer) does not lock the others out.
    expect((await auth.authenticate(request(`Bearer ${secret}`), "10.0.0.9")).name).toBe("ci");
    clock += 20_000;
    const afterWait = await failure(auth.authenticate(request("Bearer opt_5"), "10.0.0.9"));
    expect(afterWait.code).toBe("UNAUTHENTICATED");
  });

  test("a request without any Authorization header is not counted as a guess", async () => {
    for (let i = 0; i < 5; i++) await failure(auth.authenticate(request(), "10.0.0.7"));
    expect(auth.limiter.retryAfterSeconds("10.0.0.7")).toBe(0);
  });
});

describe("Authenticator over its read cache", () => {
  /** A store that counts token lookups, to tell a cache hit from a store read. */
  async function countingStore(dir: string) {
    const store = await openGatewayStore(dir);
    let reads = 0;
    const counted = new Proxy(store, {
      get(target, key) {
        if (key === "findApiTokenByHash") reads++;
        const value = Reflect.get(target, key);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    return { store: counted, reads: () => reads };
  }

  test("a known token is read from the store once, then from memory", async () => {
    const dir = mkdtempSync(join(tmpdir(), "outpost-auth-"));
    const { store, reads } = await countingStore(dir);
    const { secret } = await new AdminService({ store }).createToken({ name: "ci" });
    const auth = new Authenticator({ store, log: createLogger("gateway", { sinks: [] }) });
    for (let i = 0; i < 20; i++) expect((await auth.authenticate(request(`Bearer ${secret}`), "10.0.0.1")).name).toBe("ci");
    expect(reads()).toBe(1);
    await store.close();
  });

  test("a token revoked by another process is refused within a second", async () => {
    const dir = mkdtempSync(join(tmpdir(), "outpost-auth-"));
    const store = await openGatewayStore(dir);
    const { token, secret } = await new AdminService({ store }).createToken({ name: "ci" });
    const auth = new Authenticator({ store, log: createLogger("gateway", { sinks: [] }) });
    expect((await auth.authenticate(request(`Bearer ${secret}`), "10.0.0.1")).name).toBe("ci");
    // The admin CLI writes the same file from its own process.
    const cli = Bun.spawnSync([process.execPath, join(import.meta.dir, "../../../src/cli/main.ts"), "gateway", "token", "revoke", token.id, "--data-dir", dir]);
    expect({ exit: cli.exitCode, stderr: cli.stderr.toString() }).toEqual({ exit: 0, stderr: "" });
    const until = Date.now() + 1000;
    let refused: GatewayError | undefined;
    while (!refused && Date.now() < until) {
      refused = await auth.authenticate(request(`Bearer ${secret}`), "10.0.0.1").then(() => undefined, (error: GatewayError) => error);
      if (!refused) await Bun.sleep(20);
    }
    expect([refused?.status, refused?.message]).toEqual([401, "this API token has been revoked"]);
    await store.close();
  });
});

describe("authorization", () => {
  const scoped: Principal = { tokenId: "t1", name: "sales-app", admin: false, groups: ["sales"] };
  const all: Principal = { tokenId: "t2", name: "ops", admin: false, groups: null };
  const admin: Principal = { tokenId: "t3", name: "root", admin: true, groups: null };

  test("a scoped token may use only its groups (403 otherwise)", () => {
    expect(() => authorizeGroup(scoped, "sales")).not.toThrow();
    expect(() => authorizeGroup(scoped, "hr")).toThrow('token "sales-app" may not use group "hr"');
    try {
      authorizeGroup(scoped, "hr");
    } catch (error) {
      expect((error as GatewayError).status).toBe(403);
    }
    expect(() => authorizeGroup(all, "hr")).not.toThrow();
  });

  test("admin-only routes refuse non-admin tokens with 403", () => {
    expect(() => requireAdmin(admin)).not.toThrow();
    expect(() => requireAdmin(all)).toThrow(GatewayError);
    try {
      requireAdmin(all);
    } catch (error) {
      expect([(error as GatewayError).status, (error as GatewayError).code]).toEqual([403, "FORBIDDEN"]);
    }
  });
});
