/**
 * A WebSocket upgrade answered with 400 — a TLS-inspecting proxy that strips the Upgrade
 * header, or one that answers by itself. Bun says only "Expected 101 status code: 400";
 * the agent logs one line naming who answered, with what, and the squid setting to change,
 * and does not repeat it on every retry.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Supervisor } from "../../src/agent/supervisor.ts";
import { createLogger } from "../../src/log/logger.ts";
import { Backoff } from "../../src/tunnel/index.ts";
import { startStack, waitFor, type Stack } from "../support/stack.ts";
import { startStrippingRelay, type StrippingRelay } from "./support/upgrade-stripping-relay.ts";

let stack: Stack;
const HINT = "for squid with ssl-bump, add `http_upgrade_request_protocols websocket allow all` (docs/install.md, \"Proxies and TLS trust\")";

beforeAll(async () => {
  stack = await startStack();
});

afterAll(async () => {
  await stack.stop();
});

const identity = { agentId: "agent-x", publicKey: "pk", secretKey: "sk", gateway: "wss://localhost", createdAt: "2026-01-01T00:00:00Z" };

async function errorsThrough(relay: StrippingRelay) {
  const lines: Array<{ level: string; msg: string }> = [];
  const supervisor = new Supervisor({
    gatewayUrl: `wss://localhost:${relay.port}`,
    identity: () => identity,
    info: () => ({ version: "1", hostname: "h", pid: 1, user: "u", os: "linux", arch: "x64", profiles: [] }),
    onStream: () => {},
    sign: async () => new Uint8Array(64),
    tls: { ca: stack.ca.certPem },
    log: createLogger("agent", { level: "info", format: "json", sinks: [{ write: (line) => lines.push(JSON.parse(line)) }] }),
    backoff: new Backoff({ baseMs: 20, capMs: 50 }),
  });
  supervisor.start();
  try {
    await waitFor(() => relay.requests >= 6, "several attempts");
  } finally {
    await supervisor.stop();
  }
  return lines.filter((line) => line.level === "error" || line.level === "warn").map((line) => line.msg);
}

describe("a WebSocket upgrade answered with 400", () => {
  test("stripped on the way: one line says the gateway got no Upgrade header, and names the squid setting", async () => {
    const relay = await startStrippingRelay({ ca: stack.ca, upstreamPort: stack.gateway.port, mode: "strip" });
    try {
      const lines = await errorsThrough(relay);
      expect(lines).toEqual([
        `the gateway at localhost:${relay.port} answered HTTP 400 instead of switching to WebSocket (BAD_REQUEST: this path takes a WebSocket upgrade from an agent): ` +
          "the request reached it without its Upgrade header, so something between this agent and the gateway removes it (a TLS-inspecting proxy, or a reverse proxy " +
          `in front of the gateway); ${HINT}`,
      ]);
    } finally {
      await relay.stop();
    }
  });

  test("answered by the proxy itself: one line with its status and Server header", async () => {
    const relay = await startStrippingRelay({ ca: stack.ca, upstreamPort: stack.gateway.port, mode: "answer" });
    try {
      const lines = await errorsThrough(relay);
      expect(lines).toEqual([
        `the server at localhost:${relay.port} answered the WebSocket upgrade with HTTP 400 (Server: squid/5.7), not 101, and it is not the Outpost gateway; ` +
          `if it is a proxy, let WebSocket upgrades to localhost:${relay.port} through; ${HINT}`,
      ]);
    } finally {
      await relay.stop();
    }
  });
});
