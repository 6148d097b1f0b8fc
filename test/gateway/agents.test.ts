/**
 * Agents and the gateway over the real TLS WebSocket: who gets in, who is refused and
 * why, load sharing within a group, reconnects after a gateway restart or a go-away,
 * cancellation reaching the agent's work, and key rotation of a live agent.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { GoAwayCode } from "../../src/protocol/index.ts";
import { rotateAgentKey } from "../../src/agent/rotate-key.ts";
import { startStack, waitFor, type Stack } from "../support/stack.ts";

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({
    profiles: (dir) => `
databases:
  main:
    adapter: sqlite
    path: ${join(dir, "main.db")}
scripts:
  tools:
    commands:
      slow:
        argv: ["/bin/sh", "-c", "echo $$ > ${join(dir, "slow.pid")}; exec sleep 30"]
`,
  });
  await stack.addAgent("alpha");
  await stack.addAgent("beta");
});

afterAll(async () => {
  await stack.stop();
});

const query = (sql: string) =>
  stack.call(`/v1/groups/sales/db/main/query`, { method: "POST", body: JSON.stringify({ sql }) });

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("a group of two agents", () => {
  test("shares the load between both agents", async () => {
    const served = new Map<string, number>();
    const responses = await Promise.all(Array.from({ length: 60 }, () => query("select 1 as one")));
    for (const response of responses) {
      expect(response.status).toBe(200);
      const agent = response.headers.get("x-outpost-agent")!;
      served.set(agent, (served.get(agent) ?? 0) + 1);
      await response.arrayBuffer();
    }
    expect([...served.keys()].sort()).toEqual(["alpha", "beta"]);
  }, 60_000);

  test("the group view reports drift: the agents' profiles point at different files", async () => {
    const response = await stack.call(`/v1/groups/sales`);
    const body = (await response.json()) as { group: { status: string; activeAgents: number; drift: Record<string, string[]> } };
    expect(body.group.status).toBe("active");
    expect(body.group.activeAgents).toBe(2);
    expect(Object.keys(body.group.drift).sort()).toEqual(["main", "tools"]);
    expect(body.group.drift.main).toHaveLength(2);
  }, 60_000);

  test("a disabled agent takes no requests, is asked to leave and is refused when it comes back", async () => {
    await stack.admin.setAgentStatus("sales", "beta", "disabled");
    const live = () => stack.gateway.registry.all().find((agent) => agent.agentName === "beta");
    await waitFor(() => live() === undefined || live()!.enabled === false, "beta to be disabled at the gateway");
    for (let i = 0; i < 10; i++) {
      const response = await query("select 1");
      expect(response.headers.get("x-outpost-agent")).toBe("alpha");
      await response.arrayBuffer();
    }
    await waitFor(() => live() === undefined, "beta to be disconnected");
    const beta = stack.agents.find((agent) => agent.name === "beta")!;
    await waitFor(() => beta.running.supervisor.state === "waiting", "beta to be refused and back off", 10_000);
    await stack.admin.setAgentStatus("sales", "beta", "enabled");
  }, 60_000);
});

describe("connections that are refused", () => {
  test("a used activation code is refused with 410 and one that never existed with 401", async () => {
    const { activationCode } = await stack.admin.addAgent("sales", "gamma", undefined);
    let keyByte = 1;
    const activate = (code: string) =>
      fetch(`https://localhost:${stack.gateway.port}/v1/activate`, {
        method: "POST",
        body: JSON.stringify({ code, publicKey: Buffer.alloc(32, keyByte++).toString("base64") }),
        tls: { ca: stack.ca.certPem },
      });
    expect((await activate(activationCode)).status).toBe(200);
    const again = await activate(activationCode);
    expect(again.status).toBe(410);
    expect((await activate("opa_" + "x".repeat(32))).status).toBe(401);
  }, 60_000);

  test("an agent whose key was replaced on the gateway is dropped and refused", async () => {
    const beta = stack.agents.find((agent) => agent.name === "beta")!;
    await waitFor(() => stack.gateway.registry.all().some((agent) => agent.agentName === "beta"), "beta back after re-enable", 40_000);
    const record = (await stack.admin.agent("sales", "beta")).agent;
    await stack.store.beginKeyRotation(record.id, Buffer.alloc(32, 9).toString("base64"));
    await stack.store.completeKeyRotation(record.id);
    await waitFor(() => !stack.gateway.registry.all().some((agent) => agent.agentName === "beta"), "beta to be dropped", 15_000);
    await waitFor(() => beta.running.supervisor.state === "waiting", "beta to back off", 10_000);
    const response = await query("select 1");
    expect(response.headers.get("x-outpost-agent")).toBe("alpha");
  }, 60_000);

  test("an agent outside the group's allowed addresses is refused", async () => {
    await stack.admin.updateGroupSettings("sales", { allowedCidrs: ["10.99.0.0/16"] });
    const alpha = stack.gateway.registry.all().find((agent) => agent.agentName === "alpha")!;
    alpha.session.goAway(GoAwayCode.RESTARTING, "test: reconnect");
    await waitFor(() => !stack.gateway.registry.all().some((agent) => agent.agentName === "alpha"), "alpha to leave");
    await Bun.sleep(1500);
    expect(stack.gateway.registry.all().some((agent) => agent.agentName === "alpha")).toBe(false);
    const response = await query("select 1");
    expect(response.status).toBe(503);
    expect(((await response.json()) as { error: { retryable: boolean } }).error.retryable).toBe(true);
    await stack.admin.updateGroupSettings("sales", { allowedCidrs: ["127.0.0.0/8", "::1/128"] });
    await waitFor(() => stack.gateway.registry.all().some((agent) => agent.agentName === "alpha"), "alpha to come back", 40_000);
  }, 60_000);
});

describe("reconnects", () => {
  test("agents come back by themselves after the gateway restarts", async () => {
    await stack.restartGateway();
    await waitFor(() => stack.gateway.registry.all().some((agent) => agent.agentName === "alpha"), "alpha after restart", 20_000);
    const response = await query("select 2 as two");
    expect(((await response.json()) as { rows: unknown[] }).rows).toEqual([{ two: 2 }]);
  }, 60_000);
});

describe("cancellation", () => {
  test("a caller that goes away stops the script on the agent", async () => {
    const alpha = stack.agents.find((agent) => agent.name === "alpha")!;
    const pidFile = join(alpha.dir, "slow.pid");
    const controller = new AbortController();
    const pending = stack.call(`/v1/groups/sales/scripts/tools/slow`, { method: "POST", body: "{}", signal: controller.signal }).catch((error) => error);
    await waitFor(() => existsSync(pidFile) && readFileSync(pidFile, "utf8").trim() !== "", "the script to start");
    const pid = Number(readFileSync(pidFile, "utf8"));
    expect(pidAlive(pid)).toBe(true);
    controller.abort();
    await pending;
    await waitFor(() => !pidAlive(pid), "the script's process to be killed", 10_000);
    writeFileSync(pidFile, "");
  }, 60_000);
});

describe("key rotation", () => {
  test("a live agent moves to a new key; the old key stops working once it reconnects", async () => {
    const alpha = stack.agents.find((agent) => agent.name === "alpha")!;
    const before = (await stack.admin.agent("sales", "alpha")).agent.publicKey;
    const { publicKey } = await rotateAgentKey({ identityPath: join(alpha.dir, "identity.json"), ca: stack.ca.certPem });
    expect(publicKey).not.toBe(before);
    await waitFor(async () => (await stack.admin.agent("sales", "alpha")).agent.previousPublicKey === null, "the rotation to complete", 20_000);
    const record = (await stack.admin.agent("sales", "alpha")).agent;
    expect(record.publicKey).toBe(publicKey);
    await waitFor(() => stack.gateway.registry.all().some((agent) => agent.agentName === "alpha" && agent.publicKey === publicKey), "alpha on the new key");
    const response = await query("select 3 as three");
    expect(response.status).toBe(200);
  }, 60_000);
});
