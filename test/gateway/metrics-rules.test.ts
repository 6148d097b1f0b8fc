/**
 * docs/monitoring/alerts.yml is valid (`promtool check rules`) and fires on the series the
 * gateway really writes: a real scrape of a group with one of two agents gone becomes
 * `promtool test rules` input, and the degraded / agent-down alerts must fire — and the
 * group-down one must not.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { expectRulesValid } from "../support/promtool.ts";
import { startStack, waitFor, type Stack } from "../support/stack.ts";

const RULES = resolve(import.meta.dir, "../../docs/monitoring/alerts.yml");
let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
  await stack.addAgent("alpha");
  const beta = await stack.addAgent("beta");
  await beta.running.shutdown();
  await waitFor(() => stack.gateway.registry.all().length === 1, "beta to leave");
});
afterAll(() => stack.stop());

test("promtool check rules accepts the shipped rules", async () => {
  expect(await expectRulesValid(RULES)).toContain("SUCCESS");
});

test("the rules fire on a real scrape: sales degraded and one agent down, not down", async () => {
  const text = await (await stack.call("/metrics", { token: stack.adminToken })).text();
  const series = text.split("\n").filter((line) => line && !line.startsWith("#")).map((line) => {
    const at = line.lastIndexOf(" ");
    const name = line.slice(0, at);
    const labelled = name.endsWith("}") ? `${name.slice(0, -1)},job="outpost-gateway",instance="gw"}` : `${name}{job="outpost-gateway",instance="gw"}`;
    return { series: labelled, values: `${line.slice(at + 1)}+0x20` };
  });
  const common = { job: "outpost-gateway", instance: "gw", group: "sales" };
  const tests = {
    rule_files: [RULES],
    evaluation_interval: "1m",
    tests: [{
      interval: "1m",
      input_series: series,
      alert_rule_test: [
        {
          eval_time: "10m",
          alertname: "OutpostGroupDegraded",
          exp_alerts: [{
            exp_labels: { ...common, status: "degraded", severity: "warning" },
            exp_annotations: { summary: "Group sales runs on some of its agents only (no redundancy)" },
          }],
        },
        {
          eval_time: "10m",
          alertname: "OutpostAgentDown",
          exp_alerts: [{
            exp_labels: { ...common, status: "no_response", severity: "warning" },
            exp_annotations: { summary: "1 enabled agent(s) of group sales are not connected" },
          }],
        },
        { eval_time: "10m", alertname: "OutpostGroupDown", exp_alerts: [] },
      ],
    }],
  };
  // JSON is YAML, and spares the quoting of label values.
  const file = join(stack.dir, "alerts.test.yml");
  writeFileSync(file, JSON.stringify(tests, null, 2));
  const child = Bun.spawn(["promtool", "test", "rules", file], { stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  expect({ code, output: code === 0 ? "" : out + err }).toEqual({ code: 0, output: "" });
});
