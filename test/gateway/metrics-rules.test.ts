/**
 * docs/monitoring/alerts.yml is valid (`promtool check rules`) and fires on the series the
 * gateway really writes: a real scrape of a group with one of two agents gone becomes
 * `promtool test rules` input, and the degraded / agent-down alerts must fire — and the
 * group-down one must not. The Grafana dashboard's queries parse as PromQL, and every
 * metric the rules, the dashboard and docs/operations.md name is one a real scrape has.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { AgentMetrics } from "../../src/agent/metrics.ts";
import { expectRulesValid } from "../support/promtool.ts";
import { startStack, waitFor, type Stack } from "../support/stack.ts";

const RULES = resolve(import.meta.dir, "../../docs/monitoring/alerts.yml");
const DASHBOARD = resolve(import.meta.dir, "../../docs/monitoring/grafana-dashboard.json");
const OPERATIONS = resolve(import.meta.dir, "../../docs/operations.md");
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

/** Families a real gateway scrape and the agent's renderer write (histograms by their base name). */
async function realFamilies(): Promise<Set<string>> {
  const gateway = await (await stack.call("/metrics", { token: stack.adminToken })).text();
  // test/agent/metrics.test.ts scrapes a running agent; here its renderer is enough.
  const agent = new AgentMetrics({ version: "test" }).render({ inFlight: 0, queued: 0, state: "connected", profiles: ["main"] });
  return new Set([...`${gateway}\n${agent}`.matchAll(/^# TYPE (\S+)/gm)].map((match) => match[1]!));
}

/** docs/operations.md's "## Metrics" section: other sections may name things like `outpost_changes` (a NOTIFY channel). */
function metricsSection(): string {
  const text = readFileSync(OPERATIONS, "utf8");
  const start = text.indexOf("\n## Metrics");
  const end = text.indexOf("\n## ", start + 1);
  return text.slice(start, end < 0 ? undefined : end);
}

function namesIn(text: string): Set<string> {
  const names = [...text.matchAll(/\b((?:outpost|process)_[a-z_]+)/g)].map((match) => match[1]!.replace(/_(bucket|sum|count)$/, ""));
  return new Set(names);
}

test("every metric the rules, the dashboard and docs/operations.md name is a real one", async () => {
  const real = await realFamilies();
  for (const [file, text] of [[RULES, readFileSync(RULES, "utf8")], [DASHBOARD, readFileSync(DASHBOARD, "utf8")], [OPERATIONS, metricsSection()]]) {
    const unknown = [...namesIn(text!)].filter((name) => !real.has(name));
    expect({ file, unknown }).toEqual({ file, unknown: [] });
  }
  // And the documentation names every family the processes write.
  const documented = namesIn(readFileSync(OPERATIONS, "utf8"));
  expect([...real].filter((name) => !documented.has(name))).toEqual([]);
});

test("every query of the Grafana dashboard parses as PromQL", async () => {
  const dashboard = JSON.parse(readFileSync(DASHBOARD, "utf8")) as { panels: { title: string; targets?: { expr: string }[] }[] };
  const exprs = dashboard.panels.flatMap((panel) => panel.targets ?? []).map((target) => target.expr);
  expect(exprs.length).toBeGreaterThan(20);
  // Grafana's variables become what they stand for; promtool then parses each as a recording rule.
  const rules = exprs.map((expr, index) => ({ record: `dashboard:query_${index}`, expr: expr.replaceAll("$__rate_interval", "5m").replaceAll("$group", ".*") }));
  const file = join(stack.dir, "dashboard-rules.yml");
  writeFileSync(file, JSON.stringify({ groups: [{ name: "dashboard", rules }] }));
  expect(await expectRulesValid(file)).toContain(`SUCCESS: ${exprs.length} rules found`);
});
