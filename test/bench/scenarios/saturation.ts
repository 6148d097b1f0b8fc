/**
 * @module
 * Measurement 2: small queries per second at saturation (a closed loop of N workers), for
 * one agent and for a group of two. Direct and SSH use one postgres.js pool of 10
 * connections, the size of one agent's pool.
 */
import type { BenchContext } from "../context.ts";
import { saturate } from "../measure.ts";
import type { Figure } from "../results.ts";

export async function saturationScenario(context: BenchContext): Promise<Figure[]> {
  const { saturationSeconds: seconds, saturationWorkers: workers } = context.options;
  const qps: Record<string, number> = {};
  for (const path of [context.direct, context.ssh, context.outpost, context.outpostPair]) {
    const key = path === context.outpostPair ? "pair" : path.name;
    qps[key] = await saturate(seconds, workers, (i) => path.query(i));
    context.log(`saturation ${key}: ${qps[key]!.toFixed(0)} q/s`);
  }
  const note = `${workers} callers in a closed loop; direct and SSH use one pool of 10 connections`;
  return [
    { measurement: 2, label: "queries/s at saturation, one agent", unit: "q/s", better: "higher", values: { direct: qps.direct, ssh: qps.ssh, outpost: qps.outpost }, note },
    { measurement: 2, label: "queries/s at saturation, group of two", unit: "q/s", better: "higher", values: { direct: qps.direct, ssh: qps.ssh, outpost: qps.pair }, note: `${note}; Outpost has two agents (20 connections)` },
  ];
}
