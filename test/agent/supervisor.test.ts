/**
 * The supervisor's policy on a manual clock with a scripted gateway (no sockets): how long
 * it waits after each kind of ending, how a profile change moves it make-before-break, and
 * that a repeated problem is logged once and then counted.
 */
import { expect, test } from "bun:test";
import { Supervisor } from "../../src/agent/supervisor.ts";
import { CloseCode } from "../../src/protocol/index.ts";
import { Backoff } from "../../src/tunnel/index.ts";
import { harness, settle, type DialStep, type Harness } from "./support/fake-dial.ts";

const identity = { agentId: "agent-1", publicKey: "pk", secretKey: "sk", gateway: "wss://gateway.test", createdAt: "2026-01-01T00:00:00Z" };

function start(h: Harness, options: { random?: () => number } = {}) {
  const random = options.random ?? (() => 0.999999);
  const supervisor = new Supervisor({
    gatewayUrl: "wss://gateway.test",
    identity: () => identity,
    info: () => ({ version: "1", hostname: "h", pid: 1, user: "u", os: "linux", arch: "x64", profiles: [] }),
    onStream: () => {},
    sign: async () => new Uint8Array(64),
    log: h.log,
    clock: h.recording,
    backoff: new Backoff({ random, now: () => h.clock.now() }),
    random,
    dial: h.dial,
  });
  supervisor.start();
  return supervisor;
}

/** Runs the clock through the last wait the supervisor asked for, then lets it act. */
async function elapseWait(h: Harness) {
  h.clock.advance(h.waits.at(-1)!);
  await settle();
}

test("gateway restarts a few seconds apart: every retry after a restart waits under 5 s", async () => {
  const cycles = 8;
  const script: DialStep[] = [];
  for (let i = 0; i < cycles; i++) script.push("ok", "unreachable", "unreachable");
  const h = harness(script);
  const supervisor = start(h);
  await settle();
  const restartWaits: number[] = [];
  for (let cycle = 0; cycle < cycles; cycle++) {
    expect(supervisor.state).toBe("connected");
    h.clock.advance(3000); // up 3 s, then the gateway crashes: a close that is not a refusal
    h.links.at(-1)!.end({ kind: "closed", refused: false });
    await settle();
    for (let retry = 0; retry < 3; retry++) {
      restartWaits.push(h.waits.at(-1)!);
      await elapseWait(h); // two dials fail while the gateway starts, the third connects
    }
  }
  expect(restartWaits.length).toBe(cycles * 3);
  expect(restartWaits.filter((wait) => wait >= 5000)).toEqual([]);
  await supervisor.stop();
});

test("a disabled agent retries every few seconds (back within 5 s of being enabled), logged once then counted", async () => {
  const h = harness(Array.from({ length: 40 }, () => ({ refuse: CloseCode.DISABLED })));
  const supervisor = start(h);
  await settle();
  for (let i = 0; i < 30; i++) await elapseWait(h);
  const waits = h.waits.slice(0, 30);
  expect(waits.filter((wait) => wait > 5000 || wait < 2500)).toEqual([]);
  const errors = h.lines.filter((line) => line.level === "error").map((line) => line.msg);
  expect(errors[0]).toBe("gateway refused this agent: refused with 4003");
  expect(errors.length).toBeLessThanOrEqual(3); // the first line, then a count per minute
  expect(errors[1]).toMatch(/^gateway refused this agent: refused with 4003 \(\d+ more times in the last \d+ s\)$/);
  await supervisor.stop();
});

test("a revoked key is retried slowly, not every few seconds", async () => {
  const h = harness([{ refuse: CloseCode.REVOKED }]);
  const supervisor = start(h);
  await settle();
  expect(h.waits).toEqual([300_000]);
  await supervisor.stop();
});

test("a refused connection keeps backing off: failures to connect grow the wait", async () => {
  const h = harness([]);
  const supervisor = start(h);
  await settle();
  for (let i = 0; i < 7; i++) await elapseWait(h);
  expect(h.waits.at(-1)!).toBeGreaterThan(15_000);
  const warnings = h.lines.filter((line) => line.level === "warn");
  // Eight failures in over a minute: the first as it happened, then one line with the count.
  expect(warnings.map((line) => [line.msg, line.reason])).toEqual([
    ["cannot reach the gateway", "cannot connect to gateway.test:443: ECONNREFUSED"],
    ["cannot reach the gateway (7 more times in the last 61 s)", "cannot connect to gateway.test:443: ECONNREFUSED"],
  ]);
  await supervisor.stop();
});

test("a profile change dials the new connection while the old one serves; the old one is left for the gateway to retire", async () => {
  const h = harness(["ok", "ok"]);
  const supervisor = start(h);
  await settle();
  const [first] = h.links;
  supervisor.reconnect("profiles changed");
  await settle();
  expect(h.dials.map((dial) => dial.replaces)).toEqual([undefined, "session-1"]);
  expect(first!.goAways).toEqual([]); // still serving until the gateway's go-away
  expect(supervisor.state).toBe("connected");
  expect(supervisor.session).toBe(h.links[1]!.link.session);
  await supervisor.stop();
});

test("a gateway that refuses the handover as a duplicate gets the old way: old session away first, then a new dial at once", async () => {
  const h = harness(["ok", { refuse: CloseCode.DUPLICATE_CONNECTION }, "ok"]);
  const supervisor = start(h);
  await settle();
  supervisor.reconnect("profiles changed");
  await settle();
  expect(h.dials.map((dial) => dial.replaces)).toEqual([undefined, "session-1", undefined]);
  expect(h.links[0]!.goAways).toEqual(["moving to a new connection"]);
  expect(supervisor.session).toBe(h.links[1]!.link.session);
  await supervisor.stop();
});

test("a failed handover keeps the current connection serving and tries again after the backoff", async () => {
  const h = harness(["ok", "unreachable", "ok"]);
  const supervisor = start(h);
  await settle();
  supervisor.reconnect("identity file changed");
  await settle();
  expect(supervisor.state).toBe("connected");
  expect(h.links[0]!.goAways).toEqual([]);
  await elapseWait(h);
  expect(h.dials.map((dial) => dial.replaces)).toEqual([undefined, "session-1", "session-1"]);
  expect(supervisor.session).toBe(h.links[1]!.link.session);
  await supervisor.stop();
});
