/**
 * The other alert rules with real in-process agents: an agent two minor versions behind
 * the group's newest is reported (one minor behind is not), and agents that report
 * different settings for the same profile raise one drift alert, and so does a profile
 * only one agent of the group offers (it has no failover). Plus the pure helpers:
 * version comparison and the webhook body formats.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { alertBody, redactWebhook, webhookTarget } from "../../src/gateway/alerts/alert-format.ts";
import { compareVersions, versionLag } from "../../src/gateway/alerts/version-lag.ts";
import { waitFor } from "../support/stack.ts";
import { startAlertStack, type AlertStack } from "./alert-stack.ts";

let stack: AlertStack;
const dir = mkdtempSync(join(tmpdir(), "outpost-rules-"));
const sqlite = (path: string) => `databases:\n  main:\n    adapter: sqlite\n    path: ${path}\n`;
const events = (event: string) => stack.received.filter((alert) => alert.body.event === event);

beforeAll(async () => {
  stack = await startAlertStack({ group: "rules", alerts: { graceMs: 60_000 } });
  await stack.admin.updateGroupSettings("rules", { alertWebhooks: [`${stack.receiverUrl}/hook`] });
}, 30_000);

afterAll(() => stack?.stop());

describe("alert rules", () => {
  test("an agent two minor versions behind the newest is reported once; one behind is not", async () => {
    await stack.startAgent("old", "1.2.0", sqlite(join(dir, "a.db")));
    await stack.startAgent("mid", "1.3.5", sqlite(join(dir, "a.db")));
    await stack.startAgent("new", "v1.4.0", sqlite(join(dir, "a.db")));
    await waitFor(() => events("agent_outdated").length > 0, "the outdated alert");
    await Bun.sleep(300);
    expect(events("agent_outdated").map((alert) => alert.body.agents!.map((agent) => agent.name))).toEqual([["old"]]);
    expect(events("agent_outdated")[0]!.body).toMatchObject({ details: { newestVersion: "v1.4.0" } });
    expect(events("drift_detected")).toEqual([]);
  });

  test("agents with different settings for one profile raise one drift alert", async () => {
    await stack.startAgent("odd", "1.4.0", sqlite(join(dir, "b.db")));
    await waitFor(() => events("drift_detected").length > 0, "the drift alert");
    const [drift] = events("drift_detected");
    expect(drift!.body.summary).toContain("main");
    expect(Object.keys((drift!.body as { details: { profiles: object } }).details.profiles)).toEqual(["main"]);
  });

  test("a profile only one agent offers raises a drift alert naming that agent", async () => {
    await stack.startAgent("extra", "1.4.0", `${sqlite(join(dir, "a.db"))}  tools:\n    adapter: sqlite\n    path: ${join(dir, "t.db")}\n`);
    await waitFor(() => events("drift_detected").length > 1, "the second drift alert");
    const alert = events("drift_detected")[1]!.body as { summary: string; details: { onlyOn: object } };
    expect(alert.details.onlyOn).toEqual({ tools: ["extra"] });
    expect(alert.summary).toContain("tools (only on extra)");
    await Bun.sleep(300);
    expect(events("drift_detected")).toHaveLength(2);
  });
});

describe("helpers", () => {
  test("versions compare by major.minor.patch, ignoring a v prefix and pre-release", () => {
    expect(["1.10.0", "v1.2.3", "1.2.3-rc.1", "0.9"].sort(compareVersions)).toEqual(["0.9", "v1.2.3", "1.2.3-rc.1", "1.10.0"]);
    expect(versionLag("2.1.0", "1.9.0")).toEqual({ major: 1, minor: 0 });
    expect(versionLag("1.9.0", "1.6.4")).toEqual({ major: 0, minor: 3 });
  });

  test("Slack hooks get {text}; others get the JSON alert; URLs are redacted for the log", () => {
    const alert = { event: "group_inactive" as const, group: "g", at: 0, summary: "group g has no active agent", agents: [{ name: "a", version: "1.0.0" }] };
    expect(webhookTarget("https://hooks.slack.com/services/T/B/secret")).toEqual({ url: "https://hooks.slack.com/services/T/B/secret", format: "slack" });
    expect(webhookTarget("https://chat.example/hook?format=slack&x=1")).toEqual({ url: "https://chat.example/hook?x=1", format: "slack" });
    expect(webhookTarget("https://example.com/alerts").format).toBe("json");
    expect(alertBody(alert, "slack")).toEqual({ text: ":warning: *Outpost* — group g has no active agent\n• a (1.0.0)" });
    expect(alertBody(alert, "json")).toMatchObject({ source: "outpost", event: "group_inactive", group: "g", at: "1970-01-01T00:00:00.000Z" });
    expect(redactWebhook("https://hooks.slack.com/services/T/B/secret")).toBe("https://hooks.slack.com/…");
  });
});
