/**
 * The agent behind a corporate HTTP CONNECT proxy — Debian's tinyproxy with Basic auth,
 * started by the test. The proxy's own log proves each connection went through it.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { proxyFor } from "../../src/config/proxy.ts";
import { startStack, waitFor, type Stack } from "../support/stack.ts";
import { startProxiedAgent, type ProxiedAgent } from "./support/proxied-agent.ts";
import { startTinyproxy, type Tinyproxy } from "./support/tinyproxy.ts";

let stack: Stack;
let proxy: Tinyproxy;
let agent: ProxiedAgent | undefined;
const target = () => `localhost:${stack.gateway.port}`;

beforeAll(async () => {
  stack = await startStack();
  proxy = await startTinyproxy({ username: "agent", password: "s3cret-pw", connectPorts: [stack.gateway.port] });
});

afterEach(async () => {
  await agent?.running.shutdown();
  agent = undefined;
});

afterAll(async () => {
  await proxy.stop();
  await stack.stop();
});

async function expectServes(running: ProxiedAgent) {
  await waitFor(() => running.running.supervisor.state === "connected", "the agent to connect");
  const response = await running.query();
  expect(response.status).toBe(200);
  expect(((await response.json()) as { rows: unknown[] }).rows).toEqual([{ answer: 42 }]);
}

describe("through an HTTP CONNECT proxy with Basic auth", () => {
  test("activation and the tunnel both go through the proxy, and requests are served", async () => {
    const before = proxy.connects(target());
    agent = await startProxiedAgent(stack, "via-proxy", { proxy: proxy.url(), activateThroughProxy: true });
    await expectServes(agent);
    expect(proxy.connects(target()) - before).toBeGreaterThanOrEqual(2);
  });

  test("a wrong proxy password: one clear error line, then quiet backoff", async () => {
    const before = proxy.connects(target());
    agent = await startProxiedAgent(stack, "bad-password", { proxy: proxy.url("agent", "wrong-pw") });
    await waitFor(() => proxy.connects(target()) - before >= 3, "three refused attempts");
    const errors = agent.lines.filter((line) => line.level === "error");
    expect(errors.map((line) => line.msg)).toEqual([
      "proxy refused: 401 Unauthorized; check the proxy username and password (config proxy: section or HTTPS_PROXY)",
    ]);
    expect(agent.lines.filter((line) => line.msg === "cannot reach the gateway")).toEqual([]);
    expect(agent.running.supervisor.state).not.toBe("connected");
    expect(JSON.stringify(agent.lines)).not.toContain("wrong-pw");
  });

  test("activation with a wrong proxy password fails with the same line", async () => {
    const { activationCode } = await stack.admin.addAgent(stack.group, "bad-activation", `wss://${target()}`);
    const { activateAgent } = await import("../../src/agent/activate.ts");
    const attempt = activateAgent({
      code: activationCode, gatewayUrl: `wss://${target()}`, configPath: `${stack.dir}/bad-activation.yml`,
      identityPath: `${stack.dir}/bad-activation.json`, ca: stack.ca.certPem, proxy: proxy.url("agent", "nope"), version: "0.0.0-test",
    });
    await expect(attempt).rejects.toThrow(/^proxy refused: 401 Unauthorized; check the proxy username and password/);
  });

  test("the proxy stops and starts again: the agent backs off and reconnects by itself", async () => {
    agent = await startProxiedAgent(stack, "proxy-restart", { proxy: proxy.url() });
    await expectServes(agent);
    await proxy.stop();
    await waitFor(() => agent!.running.supervisor.state !== "connected", "the agent to notice the proxy is gone");
    await waitFor(() => agent!.lines.some((line) => line.msg === "cannot reach the gateway"), "a failed redial");
    await proxy.start();
    await expectServes(agent);
  });

  test("NO_PROXY lists the gateway: the agent dials directly", async () => {
    const before = proxy.connects(target());
    const chosen = proxyFor(`https://${target()}`, undefined, { HTTPS_PROXY: proxy.url(), NO_PROXY: "example.org,localhost" });
    expect(chosen).toBeUndefined();
    agent = await startProxiedAgent(stack, "no-proxy", { proxy: chosen });
    await expectServes(agent);
    expect(proxy.connects(target())).toBe(before);
  });
});
