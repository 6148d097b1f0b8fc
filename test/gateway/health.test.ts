/**
 * Honest group health against a real gateway with in-process agents: a group with some of
 * its enabled agents gone is `degraded` in the admin API and in the CLI's output, a
 * connected agent's `lastSeenAt` moves (refreshed every 200 ms here instead of 30 s), a
 * gone one has a `disconnectedAt`, and a profile only one agent offers shows in the group's
 * `onlyOn`. Plus the pure rules: which statuses make which group status.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RunningAgent } from "../../src/agent/agent.ts";
import { groupStatus, storedAgentStatus } from "../../src/gateway/status.ts";
import type { AgentRecord } from "../../src/gateway/store/store.ts";
import { startAlertStack, type AlertStack } from "../alerts/alert-stack.ts";
import { runCli } from "../cli/run-cli.ts";
import { waitFor } from "../support/stack.ts";

let stack: AlertStack;
const agents: Record<string, RunningAgent> = {};
const dir = mkdtempSync(join(tmpdir(), "outpost-health-"));
const profile = (name: string) => `  ${name}:\n    adapter: sqlite\n    path: ${join(dir, `${name}.db`)}\n`;

type GroupBody = { group: { status: string; activeAgents: number; enabledAgents: number; drift: object; onlyOn: Record<string, string[]> } };
type AgentBody = { agent: { status: string; lastSeenAt: string | null; disconnectedAt: string | null; connection: { connectedSince: string } | null } };
const group = async () => ((await (await stack.call("/v1/groups/health")).json()) as GroupBody).group;
const agent = async (name: string) => ((await (await stack.call(`/v1/groups/health/agents/${name}`)).json()) as AgentBody).agent;

beforeAll(async () => {
  stack = await startAlertStack({ group: "health", alerts: { graceMs: 60_000 }, lastSeenIntervalMs: 200 });
  agents.a = await stack.startAgent("a", "1.0.0", `databases:\n${profile("main")}${profile("tools")}`);
  agents.b = await stack.startAgent("b", "1.0.0", `databases:\n${profile("main")}`);
  agents.c = await stack.startAgent("c", "1.0.0", `databases:\n${profile("main")}`);
}, 60_000);

afterAll(() => stack?.stop());

describe("group health", () => {
  test("a profile only one agent offers is listed with that agent; the settings drift stays empty", async () => {
    const body = await group();
    expect(body).toMatchObject({ status: "active", activeAgents: 3, enabledAgents: 3, drift: {} });
    expect(body.onlyOn).toEqual({ tools: ["a"] });
  });

  test("lastSeenAt moves while an agent is connected, in the API and in the store", async () => {
    const first = await agent("a");
    expect(first.disconnectedAt).toBeNull();
    const since = Date.parse(first.connection!.connectedSince);
    await waitFor(async () => Date.parse((await agent("a")).lastSeenAt!) > since, "lastSeenAt to move past the connect time");
    const stored = async () => (await stack.store.listAgents()).find((record) => record.name === "a")!.lastSeenAt!;
    const before = await stored();
    await waitFor(async () => (await stored()) > before, "the stored lastSeenAt to move");
  });

  test("one of three agents active: degraded in the API and the CLI; the gone ones say since when", async () => {
    await agents.b!.shutdown();
    await agents.c!.shutdown();
    await waitFor(() => stack.connected().length === 1, "b and c to leave");
    expect(await group()).toMatchObject({ status: "degraded", activeAgents: 1, enabledAgents: 3 });
    const gone = await agent("c");
    expect(gone.status).toBe("no_response");
    expect(gone.connection).toBeNull();
    expect(Date.parse(gone.disconnectedAt!)).toBeGreaterThanOrEqual(Date.parse(gone.lastSeenAt!));

    // The CLI reads the store: the presence the gateway writes within half a second.
    await waitFor(async () => (await runCli(["gateway", "group", "list", "--data-dir", stack.dataDir])).stdout.includes("degraded"), "the CLI to say degraded");
    const list = await runCli(["gateway", "group", "list", "--data-dir", stack.dataDir]);
    expect(list.stdout).toMatch(/^NAME\s+STATUS\s+ACTIVE.*\nhealth\s+degraded\s+1\/3\s/);
    const show = await runCli(["gateway", "group", "show", "health", "--data-dir", stack.dataDir]);
    expect(show.stdout).toContain("status: degraded (1 of 3 enabled agents active)");
    const json = JSON.parse((await runCli(["gateway", "group", "show", "health", "--data-dir", stack.dataDir, "--json"])).stdout);
    expect(json.group).toMatchObject({ status: "degraded", activeAgents: 1, enabledAgents: 3 });
  }, 30_000);
});

describe("status rules", () => {
  test("only enabled agents count: all active is active, some is degraded, none is inactive", () => {
    expect(groupStatus(["active", "active", "disabled", "awaiting_setup"])).toBe("active");
    expect(groupStatus(["active", "no_response", "disabled"])).toBe("degraded");
    expect(groupStatus(["no_response", "no_response"])).toBe("inactive");
    expect(groupStatus(["disabled", "awaiting_setup"])).toBe("inactive");
    expect(groupStatus([])).toBe("inactive");
  });

  test("the store's presence counts only while fresh", () => {
    const record = { id: "x", status: "enabled" } as AgentRecord;
    expect(storedAgentStatus(record, { at: 1_000_000, connected: ["x"] }, 1_010_000)).toBe("active");
    expect(storedAgentStatus(record, { at: 1_000_000, connected: ["x"] }, 1_100_000)).toBe("no_response");
    expect(storedAgentStatus(record, { at: 1_000_000, connected: [] }, 1_000_001)).toBe("no_response");
    expect(storedAgentStatus(record, undefined)).toBe("no_response");
    expect(storedAgentStatus({ ...record, status: "disabled" }, undefined)).toBe("disabled");
  });
});
