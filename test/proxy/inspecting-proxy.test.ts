/**
 * A TLS-inspecting proxy that re-signs the gateway's connection with its own CA — the most
 * common setup failure on corporate networks. Without that CA the agent says so in one
 * line naming the issuer; with it in `gateway.ca` everything works through the proxy.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { activateAgent } from "../../src/agent/activate.ts";
import { describeTlsFailure } from "../../src/agent/tls-diagnose.ts";
import { startStack, waitFor, type Stack } from "../support/stack.ts";
import { startInspectingProxy, type InspectingProxy } from "./support/inspecting-proxy.ts";
import { startProxiedAgent } from "./support/proxied-agent.ts";

let stack: Stack;
let corp: InspectingProxy;

const issuerLine = () =>
  `the gateway's certificate was issued by 'CN=Corp Inspection CA', which is not trusted (through proxy 127.0.0.1:${corp.port}; ` +
  "a TLS-inspecting proxy re-signs connections with its own CA); add that CA to gateway.ca (a PEM file; it may hold several CAs)";

beforeAll(async () => {
  stack = await startStack();
  corp = await startInspectingProxy({ upstreamPort: stack.gateway.port, upstreamCa: stack.ca.certPem });
});

afterAll(async () => {
  await corp.stop();
  await stack.stop();
});

describe("behind a TLS-inspecting proxy", () => {
  test("without its CA the agent logs one line naming the unexpected issuer, and keeps retrying", async () => {
    const agent = await startProxiedAgent(stack, "untrusting", { proxy: corp.url });
    try {
      const before = corp.tunnels;
      await waitFor(() => corp.tunnels - before >= 4, "several attempts (each dial plus the first diagnosis)");
      expect(agent.lines.filter((line) => line.level === "error").map((line) => line.msg)).toEqual([issuerLine()]);
      expect(agent.running.supervisor.state).not.toBe("connected");
    } finally {
      await agent.running.shutdown();
    }
  });

  test("activation through it without its CA fails with the same line", async () => {
    const url = `wss://localhost:${stack.gateway.port}`;
    const { activationCode } = await stack.admin.addAgent(stack.group, "untrusting-activation", url);
    const attempt = activateAgent({
      code: activationCode, gatewayUrl: url, configPath: `${stack.dir}/x.yml`, identityPath: `${stack.dir}/x.json`,
      ca: stack.ca.certPem, proxy: corp.url, version: "0.0.0-test",
    });
    await expect(attempt).rejects.toThrow(issuerLine());
  });

  test("with its CA added to gateway.ca, activation and requests work through it", async () => {
    const before = corp.tunnels;
    const agent = await startProxiedAgent(stack, "trusting", { proxy: corp.url, caPem: stack.ca.certPem + corp.ca.certPem, activateThroughProxy: true });
    try {
      await waitFor(() => agent.running.supervisor.state === "connected", "the agent to connect");
      const response = await agent.query();
      expect(response.status).toBe(200);
      expect(corp.tunnels - before).toBeGreaterThanOrEqual(2);
      expect(agent.lines.filter((line) => line.level === "error")).toEqual([]);
    } finally {
      await agent.running.shutdown();
    }
  });

  test("the diagnosis finds nothing wrong once the CA is trusted, and names the issuer on a direct dial too", async () => {
    const url = `wss://localhost:${stack.gateway.port}`;
    expect(await describeTlsFailure(url, { proxy: corp.url, ca: corp.ca.certPem })).toBeUndefined();
    expect(await describeTlsFailure(url, { ca: corp.ca.certPem })).toBe(
      "the gateway's certificate was issued by 'CN=Outpost Test CA', which is not trusted; add that CA to gateway.ca (a PEM file; it may hold several CAs)",
    );
  });
});
