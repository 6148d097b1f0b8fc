/**
 * Soak: a compiled agent behind the fault relay loses its connection every 3 s (a clean
 * cut, then a reset, alternating) while callers keep querying, for 120 s
 * (`OUTPOST_SOAK_SECONDS` for longer). The agent must come back every time, its open
 * file descriptors must not grow, its memory must stay bounded, and no stream or socket
 * may be left behind. RSS and fd slopes are printed for docs/reliability.md.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { waitFor } from "../support/stack.ts";
import { processUsage, slope, startCompiledStack, type AgentProcess, type CompiledStack } from "./support/compiled-stack.ts";
import { metric } from "./support/measure.ts";

const SOAK_SECONDS = Number(process.env.OUTPOST_SOAK_SECONDS ?? 120);
const RECONNECT_EVERY_MS = 3000;
let stack: CompiledStack;
let agent: AgentProcess;

beforeAll(async () => {
  stack = await startCompiledStack();
  agent = await stack.addAgent("alpha", {
    viaRelay: true,
    profiles: "databases:\n  main:\n    adapter: sqlite\n    path: '{dir}/main.db'\n",
    extra: "logging:\n  level: warn\n",
  });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

test(`forced reconnects every ${RECONNECT_EVERY_MS / 1000} s for ${SOAK_SECONDS} s: the agent always returns, fds and memory do not grow`, async () => {
  const samples: { t: number; rssKiB: number; fds: number }[] = [];
  const outcomes: Record<string, number> = {};
  let stop = false;
  const caller = async () => {
    while (!stop) {
      const response = await stack.call("/v1/groups/sales/db/main/query", { method: "POST", body: JSON.stringify({ sql: "select 1 as one" }) }).catch(() => undefined);
      const body = response ? ((await response.json()) as { error?: { code: string; retryable: boolean } }) : undefined;
      const outcome = !response ? "no answer" : response.ok ? "200" : `${response.status}:${body?.error?.code}:${body?.error?.retryable}`;
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
      if (!response?.ok) await Bun.sleep(50);
    }
  };
  const callers = Array.from({ length: 4 }, caller);
  const started = performance.now();
  let reconnects = 0;
  while (performance.now() - started < SOAK_SECONDS * 1000) {
    await Bun.sleep(RECONNECT_EVERY_MS);
    if (reconnects % 2 === 0) stack.relay.cut();
    else stack.relay.reset();
    reconnects++;
    await waitFor(async () => (await stack.activeAgents()).includes("alpha"), "the agent to come back", 30_000);
    samples.push({ t: (performance.now() - started) / 1000, ...(await processUsage(agent.proc.pid)) });
  }
  stop = true;
  await Promise.all(callers);
  // The last reconnect's hand-over may still be finishing: read the live connection once it is back.
  await waitFor(async () => (await stack.activeAgents()).includes("alpha"), "the agent to be connected at the end", 30_000);

  const warm = samples.slice(Math.floor(samples.length / 3));
  const rssSlope = slope(warm.map((s) => ({ x: s.t / 60, y: s.rssKiB })));
  const fdSlope = slope(warm.map((s) => ({ x: s.t / 60, y: s.fds })));
  const connected = (await (await stack.call("/v1/groups/sales/agents/alpha")).json()) as { agent: { connection: { inFlight: number } | null } };
  metric("soak", {
    seconds: SOAK_SECONDS, reconnects, outcomes,
    rssKiB: { first: samples[0]?.rssKiB, last: samples.at(-1)?.rssKiB, max: Math.max(...samples.map((s) => s.rssKiB)) },
    fds: { first: samples[0]?.fds, last: samples.at(-1)?.fds, max: Math.max(...samples.map((s) => s.fds)) },
    rssSlopeKiBPerMinute: Math.round(rssSlope), fdSlopePerMinute: Number(fdSlope.toFixed(3)),
    relayConnectionsAtEnd: stack.relay.connections,
  });

  expect(agent.proc.exitCode).toBeNull();
  for (const outcome of Object.keys(outcomes)) expect(["200", "no answer", "503:UNAVAILABLE:true", "502:AGENT_UNAVAILABLE:true"]).toContain(outcome);
  expect(outcomes["200"]).toBeGreaterThan(0);
  // Sockets of old connections are closed: only the live link remains through the relay.
  await waitFor(() => stack.relay.connections === 1, "old connections to be closed");
  expect(connected.agent.connection?.inFlight).toBe(0);
  // fds: a leak of one per reconnect would add ~20 per minute; allow noise of a few.
  expect(samples.at(-1)!.fds - samples[0]!.fds).toBeLessThanOrEqual(4);
  // Memory bounded: the median of the last third of the samples within 48 MiB of the
  // second third's. Single samples swing by tens of MiB with the collector (a 120 s run once
  // ended 48.3 MiB above its warm-up sample, and fell below it again at 240 s); a leak
  // moves the whole third.
  const third = Math.floor(samples.length / 3);
  const median = (part: typeof samples) => [...part].sort((a, b) => a.rssKiB - b.rssKiB)[Math.floor(part.length / 2)]!.rssKiB;
  expect(median(samples.slice(-third)) - median(samples.slice(third, 2 * third))).toBeLessThan(48 * 1024);
}, (SOAK_SECONDS + 120) * 1000);
