/**
 * The agent's `/metrics` on its loopback health server, scraped from a running agent:
 * requests by profile and outcome, in flight and queued, tunnel state and connects, and
 * `process_*`, in text Prometheus's own parser accepts.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import { freePort } from "../support/ports.ts";
import { expectPromtoolAccepts, sampleValue } from "../support/promtool.ts";
import { startStack, type Stack } from "../support/stack.ts";

let stack: Stack;
let healthPort: number;

beforeAll(async () => {
  healthPort = await freePort();
  stack = await startStack({
    extraConfig: `agent:\n  health:\n    port: ${healthPort}\n`,
    profiles: (dir) => `databases:\n  main:\n    adapter: sqlite\n    path: ${join(dir, "main.db")}\n`,
  });
  await stack.addAgent("alpha");
});
afterAll(() => stack.stop());

const scrape = async () => {
  const response = await fetch(`http://127.0.0.1:${healthPort}/metrics`);
  expect(response.headers.get("content-type")).toStartWith("text/plain; version=0.0.4");
  return await response.text();
};

test("before any request: every profile's series at zero, the tunnel connected once, process_*", async () => {
  const text = await scrape();
  expect(sampleValue(text, `outpost_agent_requests_total{profile="main",outcome="ok"}`)).toBe(0);
  expect(sampleValue(text, `outpost_agent_request_duration_seconds_count{profile="main"}`)).toBe(0);
  expect(sampleValue(text, `outpost_agent_tunnel_state{state="connected"}`)).toBe(1);
  expect(sampleValue(text, `outpost_agent_tunnel_state{state="waiting"}`)).toBe(0);
  expect(sampleValue(text, "outpost_agent_tunnel_connects_total")).toBe(1);
  expect(sampleValue(text, "outpost_agent_tunnel_reconnects_total")).toBe(0);
  expect(sampleValue(text, "outpost_agent_requests_queued")).toBe(0);
  expect(text).toMatch(/^outpost_agent_build_info\{version="0\.0\.0-test",.*\} 1$/m);
  for (const name of ["process_cpu_seconds_total", "process_resident_memory_bytes", "process_start_time_seconds", "process_open_fds", "process_max_fds"]) {
    expect(sampleValue(text, name)).toBeGreaterThan(0);
  }
  await expectPromtoolAccepts(text);
});

test("requests are counted by profile and outcome (the error code in lower case)", async () => {
  const body = JSON.stringify({ sql: "select 1 as n" });
  expect((await stack.call("/v1/groups/sales/db/main/query", { method: "POST", body })).status).toBe(200);
  expect((await stack.call("/v1/groups/sales/db/main/query", { method: "POST", body: JSON.stringify({ sql: "select nope" }) })).status).toBe(400);
  const text = await scrape();
  expect(sampleValue(text, `outpost_agent_requests_total{profile="main",outcome="ok"}`)).toBe(1);
  expect(sampleValue(text, `outpost_agent_requests_total{profile="main",outcome="query_failed"}`)).toBe(1);
  expect(sampleValue(text, `outpost_agent_request_duration_seconds_count{profile="main"}`)).toBe(2);
  await expectPromtoolAccepts(text);
});
