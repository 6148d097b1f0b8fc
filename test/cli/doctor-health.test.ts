/**
 * The agent checks its profiles at start and reports their health in its hello; the
 * gateway's agent view shows a failing profile with its reason, and the agent reports the
 * recovery when the target starts answering (through a make-before-break reconnect).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import {
  MAX_HEALTH_REASON, decodeFrame, decodeHello, encodeHello, type AgentAuth, type HelloMessage, type ProtocolError,
} from "../../src/protocol/index.ts";
import { HealthReporter } from "../../src/agent/doctor/health-reporter.ts";
import { loadConfig } from "../../src/config/load.ts";
import { startPostgres, type TestPostgres } from "../support/postgres.ts";
import { startStack, waitFor, type Stack } from "../support/stack.ts";

let stack: Stack;
let pg: TestPostgres;

beforeAll(async () => {
  pg = await startPostgres();
  stack = await startStack({
    profiles: (dir) => {
      mkdirSync(join(dir, "ok"));
      const orders = `databases:\n  orders:\n    adapter: postgresql\n    host: 127.0.0.1\n    port: ${pg.port}\n    database: ${pg.database}\n    username: ${pg.user}\n    password: ${pg.password}\n    connect_timeout: 2\n`;
      return `files:\n  inbox:\n    base: ./later\n  outbox:\n    base: ./ok\n${orders}`;
    },
  });
});

afterAll(async () => {
  await stack?.stop();
  await pg?.stop();
});

interface ProfileEntry {
  name: string;
  health: { status: string; reason?: string };
}

async function profilesOf(agent: string): Promise<ProfileEntry[]> {
  const response = await stack.call(`/v1/groups/sales/agents/${agent}`, { token: stack.adminToken });
  const body = (await response.json()) as { agent: { info: { profiles: ProfileEntry[] } } };
  return body.agent.info.profiles;
}

test("the agent view shows a failing profile, then its recovery", async () => {
  const agent = await stack.addAgent("h1");
  const profiles = await profilesOf("h1");
  expect(profiles.find((p) => p.name === "outbox")?.health).toEqual({ status: "ok" });
  const inbox = profiles.find((p) => p.name === "inbox")!;
  expect(inbox.health.status).toBe("failing");
  expect(inbox.health.reason).toMatch(/^NOT_FOUND: .*later does not exist$/);

  mkdirSync(join(agent.dir, "later"));
  const listed = await stack.call("/v1/groups/sales/files/inbox/");
  expect(listed.status).toBe(200);
  await waitFor(async () => (await profilesOf("h1")).find((p) => p.name === "inbox")?.health.status === "ok", "the recovery to reach the gateway");
}, 60_000);

test("a database that goes down after start is reported failing, then ok once it answers again", async () => {
  const status = async () => (await profilesOf("h1")).find((p) => p.name === "orders")?.health;
  const query = () => stack.call("/v1/groups/sales/db/orders/query", { method: "POST", body: JSON.stringify({ sql: "select 1 as one" }) });
  expect(await status()).toEqual({ status: "ok" });
  await pg.stopServer();
  await waitFor(async () => {
    await query();
    return (await status())?.status === "failing";
  }, "the outage to reach the gateway", 30_000);
  expect((await status())?.reason).toMatch(/^UNREACHABLE: /);
  await pg.startServer();
  await waitFor(async () => (await query()).status === 200 && (await status())?.status === "ok", "the recovery to reach the gateway", 30_000);
}, 90_000);

describe("profile health in the hello", () => {
  const auth = (health: unknown) => ({
    kind: "auth", version: 1, agentId: "agt_1", host: "gw:8443", publicKey: "pk", signature: "sig", maxFrame: 65536,
    info: { version: "1", hostname: "h", pid: 1, user: "u", os: "linux", arch: "x64", profiles: [{ name: "orders", kind: "databases", hash: "ab", health }] },
  });
  const decode = (message: object) => decodeHello(new TextEncoder().encode(JSON.stringify(message)));
  const refused = (message: object) => {
    try {
      decode(message);
      return undefined;
    } catch (error) {
      return (error as ProtocolError).code;
    }
  };

  test("round-trips, and stays optional for agents that do not send it", () => {
    const failing = { status: "failing", reason: "AUTH_FAILED: password authentication failed" };
    expect(decodeHello(decodeFrame(encodeHello(auth(failing) as HelloMessage)).payload)).toEqual(auth(failing) as HelloMessage);
    const old = decode(auth(undefined)) as AgentAuth;
    expect(old.info.profiles[0]).toEqual({ name: "orders", kind: "databases", hash: "ab" });
  });

  test("a bad status, a long reason or a non-object is refused", () => {
    expect(refused(auth({ status: "great" }))).toBe("BAD_MESSAGE");
    expect(refused(auth({ status: "failing", reason: "x".repeat(MAX_HEALTH_REASON + 1) }))).toBe("BAD_MESSAGE");
    expect(refused(auth("ok"))).toBe("BAD_MESSAGE");
  });
});

describe("doctor's clock check", () => {
  test("a host clock an hour behind the gateway fails; ten seconds ahead is a warning", async () => {
    const { checkGateway } = await import("../../src/agent/doctor/gateway-check.ts");
    const agent = stack.agents.find((a) => a.name === "h1")!;
    const loaded = await loadConfig(agent.configPath);
    const clockAt = async (offsetMs: number) => (await checkGateway(loaded, { now: () => Date.now() + offsetMs })).find((r) => r.kind === "clock")!;
    expect((await clockAt(0)).verdict).toBe("ok");
    const behind = await clockAt(-3_600_000);
    expect(behind).toMatchObject({ verdict: "fail", detail: expect.stringMatching(/^this host's clock is (3599|3600|3601) s behind the gateway's$/) });
    expect(behind.hint).toContain("NTP");
    expect(await clockAt(10_000)).toMatchObject({ verdict: "warn", detail: expect.stringMatching(/^this host's clock is (9|10|11) s ahead of the gateway's$/) });
  });
});

describe("the health reporter", () => {
  test("gathers flips into one reconnect, and none when the gateway already has the state", async () => {
    let state = "a";
    const reasons: string[] = [];
    const reporter = new HealthReporter({ current: () => state, reconnect: (reason) => reasons.push(reason), delayMs: 20, minIntervalMs: 0 });
    reporter.changed(); // before the first hello: that hello will carry it
    await Bun.sleep(50);
    expect(reasons).toEqual([]);
    reporter.sent("a");
    state = "b";
    reporter.changed();
    reporter.changed();
    await Bun.sleep(60);
    expect(reasons).toEqual(["profile health changed"]);
    reporter.sent("b");
    state = "c";
    reporter.changed();
    state = "b"; // flipped back before the delay ended: nothing to tell
    await Bun.sleep(60);
    expect(reasons).toHaveLength(1);
    reporter.stop();
  });
});

test("an agent that is not connected shows its profiles' health as unknown", async () => {
  const agent = stack.agents.find((a) => a.name === "h1")!;
  await agent.running.shutdown();
  await waitFor(async () => (await profilesOf("h1")).every((p) => p.health.status === "unknown"), "the view to stop trusting the old report");
});
