/**
 * Disabling and enabling an agent is no outage: a real gateway, agents as processes, a
 * real webhook receiver. Disabled in the console (the admin API), the agent leaves and
 * nothing is sent however long it stays away; enabled from the CLI just before a grace
 * period counted from the disconnect would end, it comes back (a disabled agent retries
 * every 2.5–5 s) and still nothing is sent, because the grace starts at the enable. An
 * agent that does not come back after being enabled is reported, once.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Subprocess } from "bun";
import { runCli } from "../cli/run-cli.ts";
import { waitFor } from "../support/stack.ts";
import { startAlertStack, type AlertStack } from "./alert-stack.ts";

// Longer than a disabled agent's slowest retry (5 s), so an enabled agent is back within it.
const GRACE_MS = 7000;
let stack: AlertStack;
const procs: Record<string, Subprocess> = {};

const post = (path: string) => stack.call(path, { method: "POST" });
const groupStatus = async () => ((await (await stack.call("/v1/groups/ops")).json()) as { group: { status: string } }).group.status;

async function cliEnable(name: string) {
  const result = await runCli(["gateway", "agent", "enable", "ops", name, "--data-dir", stack.dataDir]);
  expect(result.code).toBe(0);
}

beforeAll(async () => {
  stack = await startAlertStack({ group: "ops", alerts: { graceMs: GRACE_MS, coalesceMs: 300, baseDelayMs: 50 } });
  await stack.admin.updateGroupSettings("ops", { alertWebhooks: [`${stack.receiverUrl}/hook`] });
  for (const name of ["one", "two"]) procs[name] = await stack.spawnAgent(name);
}, 60_000);

afterAll(() => stack?.stop());

describe("disable and enable", () => {
  test("disabled in the console, enabled from the CLI just before the grace would end: no alert", async () => {
    expect((await post("/v1/groups/ops/agents/one/disable")).status).toBe(200);
    await waitFor(() => !stack.connected().includes("one"), "the disabled agent to leave");
    // A disabled agent is not missing: the group is whole with the one enabled agent.
    expect(await groupStatus()).toBe("active");
    await Bun.sleep(GRACE_MS - 400);
    await cliEnable("one");
    await waitFor(() => stack.connected().includes("one"), "the enabled agent to come back", 10_000);
    // Past a grace period counted from the enable, and its coalescing window: still nothing.
    await Bun.sleep(GRACE_MS + 800);
    expect(stack.received.map((alert) => alert.body.event)).toEqual([]);
    expect(await groupStatus()).toBe("active");
  }, 40_000);

  test("a disabled agent that stays away is never reported; one that does not return after enable is, once", async () => {
    expect((await post("/v1/groups/ops/agents/one/disable")).status).toBe(200);
    await waitFor(() => !stack.connected().includes("one"), "the disabled agent to leave");
    procs.one!.kill("SIGKILL");
    await procs.one!.exited;
    await Bun.sleep(GRACE_MS + 800);
    expect(stack.received).toEqual([]);
    await cliEnable("one");
    // Enabled and not connected: the group is short of an agent now, and says so.
    await waitFor(async () => (await groupStatus()) === "degraded", "the group to show degraded");
    await waitFor(() => stack.received.length >= 2, "the alerts for the agent that did not come back", 20_000);
    await Bun.sleep(500);
    expect(stack.received.map((alert) => alert.body.event)).toEqual(["agent_disconnected", "group_degraded"]);
    expect(stack.received[0]!.body.agents!.map((agent) => agent.name)).toEqual(["one"]);
  }, 40_000);
});
