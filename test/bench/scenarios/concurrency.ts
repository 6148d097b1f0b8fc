/**
 * @module
 * Measurement 5: N requests started at once. Outpost: N HTTPS requests to the gateway, all
 * routed to one agent over its one tunnel connection (the agent queues beyond its
 * concurrency; its `queue_size` is set to N). Direct and SSH: N queries handed at once to
 * one postgres.js pool of 10, which queues them. "in flight at once" is the most requests
 * the caller had started and not yet seen answered at any instant.
 */
import type { BenchContext } from "../context.ts";
import { now, percentile } from "../measure.ts";
import type { DbPath, PathName } from "../paths.ts";
import type { Figure } from "../results.ts";

interface Burst {
  failed: number;
  p99: number;
  maxInFlight: number;
  firstError?: string;
}

async function burst(path: DbPath, count: number): Promise<Burst> {
  const spans: { start: number; end: number }[] = [];
  let failed = 0;
  let firstError: string | undefined;
  await Promise.all(Array.from({ length: count }, async (_, i) => {
    const start = now();
    try {
      await path.query(i);
    } catch (error) {
      failed++;
      firstError ??= String(error);
    }
    spans.push({ start, end: now() });
  }));
  const events = spans.flatMap((span) => [[span.start, 1], [span.end, -1]] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let open = 0;
  let maxInFlight = 0;
  for (const [, delta] of events) maxInFlight = Math.max(maxInFlight, (open += delta));
  return { failed, p99: percentile(spans.map((span) => span.end - span.start), 99), maxInFlight, firstError };
}

export async function concurrencyScenario(context: BenchContext): Promise<Figure[]> {
  const count = context.options.concurrentRequests;
  const results: Partial<Record<PathName, Burst>> = {};
  for (const path of [context.direct, context.ssh, context.outpost]) {
    results[path.name] = await burst(path, count);
    const result = results[path.name]!;
    context.log(`${count} at once ${path.name}: ${result.failed} failed, p99 ${result.p99.toFixed(0)} ms, ${result.maxInFlight} in flight${result.firstError ? ` (${result.firstError})` : ""}`);
  }
  const pick = (key: keyof Burst) => Object.fromEntries(Object.entries(results).map(([name, r]) => [name, r[key] as number]));
  const label = `${count.toLocaleString("en")} requests at once`;
  return [
    { measurement: 5, label: `${label}: failed`, unit: "requests", better: "lower", values: pick("failed") },
    { measurement: 5, label: `${label}: p99`, unit: "ms", better: "lower", values: pick("p99") },
    { measurement: 5, label: `${label}: most in flight at once`, unit: "requests", better: "higher", values: pick("maxInFlight"),
      note: "Outpost: HTTPS requests on one agent's tunnel; direct and SSH: queries queued in one pool of 10" },
  ];
}
