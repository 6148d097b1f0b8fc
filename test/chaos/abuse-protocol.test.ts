/**
 * Abuse of the tunnel and of the authentication, on a real TLS stack (in-process): a fake
 * agent with a real identity (made through the admin service and `/v1/activate`) finishes
 * a real handshake over a real WebSocket, then sends frames with impossible lengths,
 * unknown types, forbidden stream ids, text and oversize messages; a second connection
 * claims the identity of a live agent; and a caller brute-forces tokens. The promises:
 * the gateway drops only the offending link, never crashes, keeps serving the real
 * agent, refuses the impostor, and rate-limits (and logs) the brute force.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { activateAgent } from "../../src/agent/activate.ts";
import { readIdentityFile, sign, type IdentityFile } from "../../src/crypto/identity.ts";
import { createLogger } from "../../src/log/logger.ts";
import { FrameType, encodeFrame } from "../../src/protocol/index.ts";
import { agentHandshake, connectWebSocket, type Connection } from "../../src/tunnel/index.ts";
import { startStack, waitFor, type Stack } from "../support/stack.ts";
import { metric } from "./support/measure.ts";

const logLines: string[] = [];
let stack: Stack;
let fake: IdentityFile;

beforeAll(async () => {
  const log = createLogger("test", { level: "info", format: "json", sinks: [{ write: (line) => void logLines.push(line) }] });
  stack = await startStack({ log, profiles: (dir) => `databases:\n  main:\n    adapter: sqlite\n    path: '${dir}/main.db'\n` });
  await stack.addAgent("real");
  const dir = join(stack.dir, "fake");
  mkdirSync(dir, { recursive: true });
  const { activationCode } = await stack.admin.addAgent(stack.group, "fake", `wss://localhost:${stack.gateway.port}`);
  await activateAgent({
    code: activationCode, gatewayUrl: `wss://localhost:${stack.gateway.port}`, configPath: join(dir, "config.yml"),
    identityPath: join(dir, "identity.json"), ca: stack.ca.certPem, caPath: stack.ca.certPath, version: "0.0.0-test",
  });
  fake = readIdentityFile(join(dir, "identity.json"));
}, 60_000);

afterAll(async () => {
  await stack?.stop();
});

interface FakeLink {
  connection: Connection;
  closed: Promise<{ code: number; reason: string }>;
}

/** Dials and completes a real handshake as `identity`; the returned link is ours to abuse. */
async function dialAs(identity: IdentityFile): Promise<FakeLink> {
  const host = `localhost:${stack.gateway.port}`;
  const connection = await connectWebSocket(`wss://${host}/v1/agent/connect`, { ca: stack.ca.certPem });
  let resolveClosed!: (value: { code: number; reason: string }) => void;
  const closed = new Promise<{ code: number; reason: string }>((resolve) => (resolveClosed = resolve));
  await agentHandshake(connection, {
    agentId: identity.agentId, publicKey: identity.publicKey, host,
    sign: (transcript) => sign(identity.secretKey, transcript),
    info: { version: "0.0.0-fake", hostname: "fake", pid: 1, user: "fake", os: "linux", arch: "x64", profiles: [] },
  });
  connection.listen({ message() {}, close: (code, reason) => resolveClosed({ code, reason }) });
  return { connection, closed };
}

async function stillServing(): Promise<void> {
  expect((await fetch(`https://localhost:${stack.gateway.port}/healthz`, { tls: { ca: stack.ca.certPem } })).status).toBe(200);
  const response = await stack.call("/v1/groups/sales/db/main/query", { method: "POST", body: JSON.stringify({ sql: "select 1 as one" }) });
  expect(response.status).toBe(200);
  expect(response.headers.get("x-outpost-agent")).toBe("real");
}

function header(version: number, type: number, streamId: number, length: number, payload = new Uint8Array(0)): Uint8Array {
  const bytes = new Uint8Array(12 + payload.byteLength);
  const view = new DataView(bytes.buffer);
  view.setUint8(0, version);
  view.setUint8(1, type);
  view.setUint32(4, streamId);
  view.setUint32(8, length);
  bytes.set(payload, 12);
  return bytes;
}

const data = (streamId: number) => encodeFrame({ type: FrameType.DATA, flags: 0, streamId, payload: new Uint8Array(4) });

describe("abuse of the tunnel protocol by a fake agent after a real handshake", () => {
  const cases: [string, Uint8Array | string][] = [
    ["a length larger than the bytes that follow", header(1, FrameType.DATA, 1, 1000, new Uint8Array(10))],
    ["a length of 4 GiB", header(1, FrameType.DATA, 1, 0xffff_ffff, new Uint8Array(10))],
    ["a frame shorter than its header", new Uint8Array([1, 2, 0])],
    ["another frame version", header(9, FrameType.PING, 0, 8, new Uint8Array(8))],
    ["an unknown frame type", header(1, 42, 0, 0)],
    ["DATA on stream 0", data(0)],
    ["DATA on a stream never opened", data(7)],
    ["DATA on stream id 2^32-1", data(0xffff_ffff)],
    ["an OPEN from the agent", encodeFrame({ type: FrameType.OPEN, flags: 0, streamId: 2, payload: new TextEncoder().encode("{}") })],
    ["a HELLO after the handshake", encodeFrame({ type: FrameType.HELLO, flags: 0, streamId: 0, payload: new TextEncoder().encode("{}") })],
    ["a PING on a stream id", header(1, FrameType.PING, 5, 8, new Uint8Array(8))],
    ["a text message", "hello?"],
    ["a 17 MiB message", new Uint8Array(17 * 1024 * 1024)],
  ];
  for (const [what, bytes] of cases) {
    test(`${what}: the gateway drops that link only and keeps serving`, async () => {
      const link = await dialAs(fake);
      await waitFor(() => stack.gateway.registry.all().some((agent) => agent.agentName === "fake"), "the fake agent to register");
      const since = performance.now();
      if (typeof bytes === "string") (link.connection.transport.send as (m: unknown) => void)(bytes);
      else link.connection.transport.send(bytes);
      const closed = await Promise.race([link.closed, Bun.sleep(10_000).then(() => undefined)]);
      metric("abuse-frame", { case: what, closeCode: closed?.code, reason: closed?.reason, ms: Math.round(performance.now() - since) });
      expect(closed).toBeDefined();
      await waitFor(() => !stack.gateway.registry.all().some((agent) => agent.agentName === "fake"), "the fake agent to be dropped");
      await stillServing();
    }, 30_000);
  }

  test("a second connection claiming a live agent's identity is refused (4009) and the real one keeps serving", async () => {
    const real = readIdentityFile(join(stack.agents[0]!.dir, "identity.json"));
    const refused = await dialAs(real).then(() => "accepted", (error: { closeCode?: number }) => error.closeCode);
    metric("abuse-duplicate-identity", { outcome: refused });
    expect(refused).toBe(4009);
    await stillServing();
  });
});

describe("token brute force", () => {
  test("after 10 bad tokens the address gets 429 with Retry-After, and each failure is logged without the token", async () => {
    const statuses: number[] = [];
    const guesses = Array.from({ length: 30 }, (_, i) => `opt_guess${i}_${crypto.randomUUID()}`);
    for (const guess of guesses) {
      const response = await stack.call("/v1/groups/sales/db/main/query", { method: "POST", body: "{}", token: guess });
      statuses.push(response.status);
      if (response.status === 429) expect(Number(response.headers.get("retry-after"))).toBeGreaterThan(0);
      await response.arrayBuffer();
    }
    const failures = logLines.filter((line) => line.includes("authentication failed"));
    metric("abuse-brute-force", { first429At: statuses.indexOf(429) + 1, statuses: [...new Set(statuses)], loggedFailures: failures.length });
    expect(statuses.slice(0, 10).every((status) => status === 401)).toBe(true);
    expect(statuses.slice(10).every((status) => status === 429)).toBe(true);
    expect(failures.length).toBeGreaterThanOrEqual(10);
    for (const guess of guesses) expect(logLines.some((line) => line.includes(guess))).toBe(false);
    // Only guesses are refused: a valid token from the same (perhaps shared) address gets in.
    expect((await stack.call("/v1/groups/sales/db/main/query", { method: "POST", body: '{"sql":"select 1"}' })).status).toBe(200);
  });
});
