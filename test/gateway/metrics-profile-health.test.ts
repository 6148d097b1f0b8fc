/**
 * `outpost_agent_profile_up`: a real agent whose files profile has a missing base folder
 * reports it failing in its hello, and the gateway's scrape shows 0 for it and 1 for the
 * healthy one (promtool accepts the text), and the shipped OutpostProfileDown rule fires
 * for the failing one only. A token of another group does not see them, and
 * once the agent is gone the series are absent (unknown), not 0.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { expectPromtoolAccepts, sampleValue } from "../support/promtool.ts";
import { startStack, waitFor, type Stack } from "../support/stack.ts";

const RULES = resolve(import.meta.dir, "../../docs/monitoring/alerts.yml");
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    profiles: (dir) => {
      mkdirSync(join(dir, "present"));
      return "files:\n  inbox:\n    base: ./missing\n  outbox:\n    base: ./present\n";
    },
  });
  await stack.admin.createGroup("ops");
  await stack.addAgent("alpha");
});
afterAll(() => stack.stop());

const series = (profile: string) => `outpost_agent_profile_up{group="sales",agent="alpha",profile="${profile}"}`;
const scrape = async (token = stack.token) => (await stack.call("/metrics", { token })).text();

test("a failing profile is 0, a healthy one 1, and promtool accepts the scrape", async () => {
  await waitFor(async () => sampleValue(await scrape(), series("inbox")) !== undefined, "the health report");
  const text = await scrape();
  expect(sampleValue(text, series("inbox"))).toBe(0);
  expect(sampleValue(text, series("outbox"))).toBe(1);
  await expectPromtoolAccepts(text);
});

test("OutpostProfileDown fires on the scrape for the failing profile only", async () => {
  const input_series = (await scrape()).split("\n").filter((line) => line.startsWith("outpost_agent_profile_up{")).map((line) => {
    const at = line.lastIndexOf(" ");
    return { series: line.slice(0, at), values: `${line.slice(at + 1)}+0x10` };
  });
  const file = join(stack.dir, "profile-down.test.yml");
  writeFileSync(file, JSON.stringify({
    rule_files: [RULES],
    tests: [{
      interval: "1m",
      input_series,
      alert_rule_test: [{
        eval_time: "5m",
        alertname: "OutpostProfileDown",
        exp_alerts: [{
          exp_labels: { group: "sales", agent: "alpha", profile: "inbox", severity: "warning" },
          exp_annotations: { summary: "Profile inbox on agent alpha (sales) is failing: its reason is on the group's page in the console" },
        }],
      }],
    }],
  }));
  const child = Bun.spawn(["promtool", "test", "rules", file], { stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  expect({ code, output: code === 0 ? "" : out + err }).toEqual({ code: 0, output: "" });
});

test("a token of another group does not see the group's profiles", async () => {
  const opsToken = (await stack.admin.createToken({ name: "ops-scraper", groups: ["ops"] })).secret;
  const text = await scrape(opsToken);
  expect(text).toContain("# TYPE outpost_agent_profile_up gauge");
  expect(text).not.toContain("outpost_agent_profile_up{");
});

test("once the agent is not connected its profiles' series are absent, not 0", async () => {
  await stack.agents[0]!.running.shutdown();
  await waitFor(() => stack.gateway.registry.all().length === 0, "alpha to leave");
  const text = await scrape();
  expect(text).not.toContain("outpost_agent_profile_up{");
  expect(sampleValue(text, `outpost_agents{group="sales",status="no_response"}`)).toBe(1);
});
