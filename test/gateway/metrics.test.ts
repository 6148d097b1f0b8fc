/**
 * The gateway's `/metrics` as a Prometheus operator reads it: every series an alert needs
 * exists from the first scrape (zeros included), bytes are counted both ways, per-agent and
 * tunnel series follow requests and sessions, and Prometheus's own parser accepts the text.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import { expectPromtoolAccepts, sampleValue } from "../support/promtool.ts";
import { startStack, type Stack } from "../support/stack.ts";

let stack: Stack;
let first: string;

beforeAll(async () => {
  stack = await startStack({ profiles: (dir) => `databases:\n  main:\n    adapter: sqlite\n    path: ${join(dir, "main.db")}\n` });
  // The very first scrape, before any agent or request.
  first = await (await stack.call("/metrics", { token: stack.adminToken })).text();
  await stack.addAgent("alpha");
});
afterAll(() => stack.stop());

const scrape = async () => await (await stack.call("/metrics", { token: stack.adminToken })).text();

test("the first scrape has every group × status series at zero, build info and process_*, and passes promtool", async () => {
  for (const status of ["awaiting_setup", "active", "no_response", "disabled"]) {
    expect(sampleValue(first, `outpost_agents{group="sales",status="${status}"}`)).toBe(0);
  }
  expect(sampleValue(first, `outpost_group_status{group="sales",status="inactive"}`)).toBe(1);
  expect(sampleValue(first, `outpost_group_status{group="sales",status="degraded"}`)).toBe(0);
  expect(sampleValue(first, `outpost_bytes_total{group="sales",direction="in"}`)).toBe(0);
  expect(sampleValue(first, `outpost_tunnel_connects_total{group="sales"}`)).toBe(0);
  expect(first).toMatch(/^outpost_build_info\{version="unknown",runtime="bun [^"]+",os="linux",arch="[^"]+"\} 1$/m);
  for (const name of ["process_cpu_seconds_total", "process_resident_memory_bytes", "process_start_time_seconds", "process_open_fds", "process_max_fds"]) {
    expect(sampleValue(first, name)).toBeGreaterThan(0);
  }
  expect(sampleValue(first, "outpost_tls_cert_expiry_timestamp_seconds")).toBeGreaterThan(Date.now() / 1000);
  await expectPromtoolAccepts(first);
});

test("request bodies are counted as bytes in, answers as bytes out, by group", async () => {
  const before = await scrape();
  let sent = 0;
  for (let i = 0; i < 40; i++) {
    const body = JSON.stringify({ sql: "select ? as n", params: [i] });
    sent += Buffer.byteLength(body);
    const response = await stack.call("/v1/groups/sales/db/main/query", { method: "POST", body, headers: { "content-type": "application/json" } });
    expect(response.status).toBe(200);
    await response.arrayBuffer();
  }
  const after = await scrape();
  const delta = (series: string) => sampleValue(after, series)! - sampleValue(before, series)!;
  expect(delta(`outpost_bytes_total{group="sales",direction="in"}`)).toBe(sent);
  expect(delta(`outpost_bytes_total{group="sales",direction="out"}`)).toBeGreaterThan(0);
});

test("per-agent series appear for a known agent: requests by outcome (zeros too), latency, streams in flight", async () => {
  const text = await scrape();
  expect(sampleValue(text, `outpost_requests_by_agent_total{group="sales",agent="alpha",outcome="ok"}`)).toBeGreaterThanOrEqual(40);
  expect(sampleValue(text, `outpost_requests_by_agent_total{group="sales",agent="alpha",outcome="agent_error"}`)).toBe(0);
  expect(sampleValue(text, `outpost_request_duration_by_agent_seconds_count{group="sales",agent="alpha"}`)).toBeGreaterThanOrEqual(40);
  expect(sampleValue(text, `outpost_streams_in_flight{group="sales",agent="alpha"}`)).toBe(0);
  expect(sampleValue(text, `outpost_agents{group="sales",status="active"}`)).toBe(1);
  expect(sampleValue(text, `outpost_group_status{group="sales",status="active"}`)).toBe(1);
});

test("tunnel sessions, reconnects and auth failures are counted, and the full scrape passes promtool", async () => {
  await stack.call("/metrics", { token: "opt_not-a-real-token-at-all" });
  await stack.call("/metrics", { headers: { authorization: "Basic eDp5" } });
  const agent = stack.gateway.registry.all()[0]!;
  agent.session.close(); // the agent notices and dials again
  const { waitFor } = await import("../support/stack.ts");
  await waitFor(async () => sampleValue(await scrape(), `outpost_tunnel_connects_total{group="sales"}`) === 2, "the agent to reconnect");
  const text = await scrape();
  expect(sampleValue(text, `outpost_tunnel_disconnects_total{group="sales",reason="closed"}`)).toBe(1);
  expect(sampleValue(text, `outpost_tunnel_reconnects_total{group="sales",reason="closed"}`)).toBe(1);
  expect(sampleValue(text, `outpost_auth_failures_total{reason="malformed"}`)).toBe(2);
  expect(text).toContain("# TYPE outpost_alert_deliveries_total counter");
  await expectPromtoolAccepts(text);
});
