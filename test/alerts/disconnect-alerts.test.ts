/**
 * Disconnect alerts against a real gateway, agents running as processes and a real
 * webhook receiver: an agent restarted within the grace period is no news; an agent
 * killed once is reported exactly once (to a JSON hook, a Slack-format hook, and a hook
 * that fails first and gets a retry); agents lost together share one message, followed
 * by "group inactive". A group losing one of its agents is reported degraded once, under
 * the same grace, and whole again when they are all back.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Subprocess } from "bun";
import { waitFor } from "../support/stack.ts";
import { startAlertStack, type AlertStack } from "./alert-stack.ts";

const GRACE_MS = 3000;
let stack: AlertStack;

const disconnects = (path = "/hook") => stack.received.filter((alert) => alert.path === path && alert.body.event === "agent_disconnected");
const names = (alert: { body: { agents?: { name: string }[] } }) => (alert.body.agents ?? []).map((agent) => agent.name).sort();

async function kill(name: string, proc: Subprocess) {
  proc.kill("SIGKILL");
  await proc.exited;
  await waitFor(() => !stack.connected().includes(name), `the gateway to notice ${name} is gone`);
}

const procs: Record<string, Subprocess> = {};

beforeAll(async () => {
  stack = await startAlertStack({
    group: "sales",
    alerts: { graceMs: GRACE_MS, coalesceMs: 500, baseDelayMs: 50 },
    answer: (path, count) => (path === "/flaky" && count === 1 ? 503 : 200),
  });
  await stack.admin.updateGroupSettings("sales", {
    alertWebhooks: [`${stack.receiverUrl}/hook`, `${stack.receiverUrl}/slack?format=slack`, `${stack.receiverUrl}/flaky`],
  });
  for (const name of ["alpha", "beta", "gamma"]) procs[name] = await stack.spawnAgent(name);
}, 60_000);

afterAll(() => stack?.stop());

describe("disconnect alerts", () => {
  test("an agent restarted within the grace period sends no alert", async () => {
    await kill("beta", procs.beta!);
    procs.beta = await stack.respawn("beta");
    // Past the grace period and the coalescing window, still nothing.
    await Bun.sleep(GRACE_MS + 1500);
    expect(stack.received).toEqual([]);
  }, 30_000);

  test("an agent killed once is reported exactly once, to every webhook", async () => {
    await kill("alpha", procs.alpha!);
    const at = (path: string) => stack.received.filter((received) => received.path === path);
    await waitFor(() => at("/hook").length > 0 && at("/slack").length > 0 && at("/flaky").length > 0, "the alert on every webhook", 20_000);
    await Bun.sleep(GRACE_MS + 1000);
    expect(disconnects().map(names)).toEqual([["alpha"]]);
    const [alert] = disconnects();
    expect(alert!.body).toMatchObject({ event: "agent_disconnected", group: "sales" });
    expect(alert!.body.summary).toContain("alpha");

    const slack = at("/slack");
    expect(slack).toHaveLength(2);
    expect(disconnects("/flaky").map(names)).toEqual([["alpha"]]);
    expect(Object.keys(slack[0]!.body)).toEqual(["text"]);
    expect(slack[0]!.body.text).toContain("alpha");
    expect(stack.received.some((received) => received.body.event === "group_inactive")).toBe(false);
    // Two of three left: degraded, said once per webhook, after the disconnect it follows from.
    expect(at("/hook").map((alert) => alert.body.event)).toEqual(["agent_disconnected", "group_degraded"]);
    const degraded = at("/hook")[1]!.body as { summary: string; agents: { name: string }[]; details: object };
    expect(degraded.summary).toContain("2 of 3 enabled agents active");
    expect(degraded.agents.map((agent) => agent.name)).toEqual(["alpha"]);
    expect(degraded.details).toEqual({ enabledAgents: 3, activeAgents: 2 });
    const group = (await (await stack.call("/v1/groups/sales")).json()) as { group: { status: string; activeAgents: number; enabledAgents: number } };
    expect(group.group).toMatchObject({ status: "degraded", activeAgents: 2, enabledAgents: 3 });

    const log = (await (await stack.call("/v1/groups/sales/alerts")).json()) as { deliveries: { target: string; status: string; attempts: number; httpStatus: number }[] };
    expect(log.deliveries).toHaveLength(6);
    expect(log.deliveries.every((delivery) => delivery.status === "delivered")).toBe(true);
    expect(log.deliveries.map((delivery) => delivery.attempts).sort()).toEqual([1, 1, 1, 1, 1, 2]);
    expect(log.deliveries.every((delivery) => delivery.target === `${stack.receiverUrl}/…` && delivery.httpStatus === 200)).toBe(true);
  }, 30_000);

  test("agents lost together share one message, then the group is reported inactive", async () => {
    await Promise.all([kill("beta", procs.beta!), kill("gamma", procs.gamma!)]);
    await waitFor(() => stack.received.some((alert) => alert.path === "/hook" && alert.body.event === "group_inactive"), "the group inactive alert", 20_000);
    expect(disconnects().map(names)).toEqual([["alpha"], ["beta", "gamma"]]);
    expect(stack.received.filter((alert) => alert.path === "/hook").map((alert) => alert.body.event)).toEqual([
      "agent_disconnected", "group_degraded", "agent_disconnected", "group_inactive",
    ]);
  }, 30_000);

  test("the group back to full strength is reported once; one agent back of three is not", async () => {
    const hook = () => stack.received.filter((alert) => alert.path === "/hook").map((alert) => alert.body.event);
    procs.alpha = await stack.respawn("alpha");
    await Bun.sleep(500);
    expect(hook().filter((event) => event === "group_recovered")).toEqual([]);
    procs.beta = await stack.respawn("beta");
    procs.gamma = await stack.respawn("gamma");
    await waitFor(() => hook().includes("group_recovered"), "the group recovered alert", 20_000);
    await Bun.sleep(500);
    expect(hook().slice(4)).toEqual(["group_recovered"]);
  }, 30_000);
});
