/**
 * @module
 * Measurement 7: group `pair` under steady load (16 callers in a closed loop, the client's
 * own retries off so only the gateway's retry counts), then one agent SIGKILLed. Counts the
 * failed requests and the longest stall: the slowest single request, and the longest gap in
 * which no request completed. Outpost only: a single SSH tunnel has no second path to fail
 * over to (its requests fail until the tunnel is rebuilt).
 */
import type { BenchContext } from "../context.ts";
import { now } from "../measure.ts";
import { outpostPath } from "../paths.ts";
import { OutpostClient } from "../../../src/client/index.ts";
import type { Figure } from "../results.ts";

export async function failoverScenario(context: BenchContext): Promise<Figure[]> {
  const { cluster } = context;
  const path = outpostPath(new OutpostClient({ url: cluster.url, token: cluster.token, ca: cluster.caPem, retries: 0 }), "pair");
  let stop = false;
  let ok = 0;
  let failed = 0;
  const failures = new Map<string, number>();
  let slowest = 0;
  let lastDone = now();
  let longestGap = 0;
  let measuring = false;
  const worker = async () => {
    while (!stop) {
      const started = now();
      try {
        await path.query(1);
        if (measuring) ok++;
      } catch (error) {
        failed++;
        const what = `${(error as { code?: string }).code ?? "?"}: ${(error as Error).message}`.slice(0, 160);
        failures.set(what, (failures.get(what) ?? 0) + 1);
      }
      const done = now();
      if (measuring) {
        slowest = Math.max(slowest, done - started);
        longestGap = Math.max(longestGap, done - lastDone);
      }
      lastDone = done;
    }
  };
  const workers = Array.from({ length: 16 }, worker);
  await Bun.sleep(1000);
  measuring = true;
  lastDone = now();
  const beta = cluster.agents.get("beta")!;
  beta.proc.kill("SIGKILL");
  await beta.proc.exited;
  await Bun.sleep(context.options.failoverSeconds * 1000);
  stop = true;
  await Promise.all(workers);
  context.log(`failover: ${ok} ok, ${failed} failed, slowest ${slowest.toFixed(0)} ms, gap ${longestGap.toFixed(0)} ms`);
  for (const [what, count] of failures) context.log(`  failed ${count}×: ${what}`);
  const note = "group of two, 16 callers, one agent SIGKILLed; the client's retries off";
  return [
    { measurement: 7, label: "failover: failed requests", unit: "requests", better: "lower", values: { outpost: failed }, note },
    { measurement: 7, label: "failover: slowest request", unit: "ms", better: "lower", values: { outpost: slowest }, note },
    { measurement: 7, label: "failover: longest gap with no answer", unit: "ms", better: "lower", values: { outpost: longestGap }, note },
    { measurement: 7, label: "failover: requests served after the kill", unit: "requests", better: "higher", values: { outpost: ok } },
  ];
}
