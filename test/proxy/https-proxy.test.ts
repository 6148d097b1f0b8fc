/**
 * An `https://` proxy: the agent speaks TLS to the proxy (stunnel4 in front of tinyproxy),
 * sends CONNECT inside it, and then TLS to the gateway inside the tunnel. Bun checks both
 * certificates against the same `gateway.ca` bundle, so it must hold both CAs.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { startStack, waitFor, type Stack } from "../support/stack.ts";
import { startProxiedAgent } from "./support/proxied-agent.ts";
import { startTlsFront, type TlsFront } from "./support/stunnel.ts";
import { startTinyproxy, type Tinyproxy } from "./support/tinyproxy.ts";

let stack: Stack;
let proxy: Tinyproxy;
let front: TlsFront;

beforeAll(async () => {
  stack = await startStack();
  proxy = await startTinyproxy({ username: "agent", password: "pw", connectPorts: [stack.gateway.port] });
  front = await startTlsFront(proxy.port);
});

afterAll(async () => {
  await front.stop();
  await proxy.stop();
  await stack.stop();
});

test("activation and the tunnel go through an https:// proxy when gateway.ca trusts both CAs", async () => {
  const target = `localhost:${stack.gateway.port}`;
  const before = proxy.connects(target);
  const agent = await startProxiedAgent(stack, "via-https-proxy", {
    proxy: `https://agent:pw@localhost:${front.port}`,
    caPem: stack.ca.certPem + front.ca.certPem,
    activateThroughProxy: true,
  });
  try {
    await waitFor(() => agent.running.supervisor.state === "connected", "the agent to connect");
    const response = await agent.query();
    expect(response.status).toBe(200);
    expect(((await response.json()) as { rows: unknown[] }).rows).toEqual([{ answer: 42 }]);
    expect(proxy.connects(target) - before).toBeGreaterThanOrEqual(2);
  } finally {
    await agent.running.shutdown();
  }
});
