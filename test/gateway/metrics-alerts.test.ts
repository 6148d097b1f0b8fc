/**
 * Alert deliveries by outcome on `/metrics`: a real webhook that accepts and one that
 * refuses, the sender's counter rendered by the gateway's metrics (and hidden from a token
 * that may not see the group).
 */
import { afterAll, expect, test } from "bun:test";
import { AlertSender } from "../../src/gateway/alerts/alert-sender.ts";
import { GatewayMetrics } from "../../src/gateway/metrics.ts";
import type { InventoryGroup } from "../../src/gateway/metrics-inventory.ts";
import { expectPromtoolAccepts, sampleValue } from "../support/promtool.ts";
import { quietLog } from "../support/stack.ts";

const receiver = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  fetch: (request) => new Response(null, { status: new URL(request.url).pathname === "/ok" ? 204 : 400 }),
});
afterAll(() => receiver.stop(true));

test("delivered and failed deliveries are counted by group; a scoped scrape sees only its groups", async () => {
  const sender = new AlertSender({ log: quietLog, attempts: 1 });
  const metrics = new GatewayMetrics({ alertDeliveries: () => sender.outcomes });
  const alert = (group: string) => ({ event: "group_inactive" as const, group, at: Date.now(), summary: `${group} is down`, agents: [] });
  const base = `http://127.0.0.1:${receiver.port}`;
  await sender.send(alert("sales"), [`${base}/ok`, `${base}/refuse`]);
  await sender.send(alert("sales"), [`${base}/ok`]);
  await sender.send(alert("ops"), [`${base}/refuse`]);
  const groups: InventoryGroup[] = ["sales", "ops"].map((name) => ({ id: name, name, status: "inactive", agents: [] }));

  const all = metrics.render(groups);
  expect(sampleValue(all, `outpost_alert_deliveries_total{group="sales",outcome="delivered"}`)).toBe(2);
  expect(sampleValue(all, `outpost_alert_deliveries_total{group="sales",outcome="failed"}`)).toBe(1);
  expect(sampleValue(all, `outpost_alert_deliveries_total{group="ops",outcome="failed"}`)).toBe(1);
  await expectPromtoolAccepts(all);

  const scoped = metrics.render(groups, (group) => group === "sales");
  expect(scoped).not.toContain(`group="ops"`);
  await sender.stop();
});
