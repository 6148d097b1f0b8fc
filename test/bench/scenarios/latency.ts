/**
 * @module
 * Measurement 1: small parameter-bound queries (`select $1::int`), p50/p90/p99 at
 * concurrency 1 and 64, on every path. Each path is warmed up first so connection set-up
 * (TLS, auth, prepared statements) is not counted.
 */
import type { BenchContext } from "../context.ts";
import { summarize, timeCalls, type Latencies } from "../measure.ts";
import type { PathName } from "../paths.ts";
import type { Figure } from "../results.ts";

export async function latencyScenario(context: BenchContext): Promise<Figure[]> {
  const paths = [context.direct, context.ssh, context.relay, context.outpost];
  const results: Record<number, Partial<Record<PathName, Latencies>>> = { 1: {}, 64: {} };
  for (const concurrency of [1, 64]) {
    for (const path of paths) {
      await timeCalls(100, concurrency, (i) => path.query(i));
      const total = context.options.latencyQueries * (concurrency === 1 ? 1 : 4);
      results[concurrency]![path.name] = summarize(await timeCalls(total, concurrency, (i) => path.query(i)));
      context.log(`latency c=${concurrency} ${path.name}: p50 ${results[concurrency]![path.name]!.p50.toFixed(2)} ms`);
    }
  }
  const figures: Figure[] = [];
  for (const concurrency of [1, 64]) {
    for (const p of ["p50", "p90", "p99"] as const) {
      const values: Partial<Record<PathName, number>> = {};
      for (const path of paths) values[path.name] = results[concurrency]![path.name]![p];
      figures.push({ measurement: 1, label: `small query ${p}, concurrency ${concurrency}`, unit: "ms", better: "lower", values });
    }
  }
  return figures;
}
