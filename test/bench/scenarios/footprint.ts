/**
 * @module
 * Measurement 6: the private-side process at rest — its idle RSS, the size of what must be
 * installed, and the time from process start to ready (Outpost: to its "connected" log
 * line; SSH: to the bastion's forwarded port accepting connections). Taken right after
 * start-up, before any load.
 */
import { statSync } from "node:fs";
import type { BenchContext } from "../context.ts";
import { rss } from "../measure.ts";
import type { Figure } from "../results.ts";

export async function footprintScenario(context: BenchContext): Promise<Figure[]> {
  await Bun.sleep(1000);
  const solo = context.cluster.agents.get("solo")!;
  const note = "SSH: the `ssh -R` client and /usr/bin/ssh";
  return [
    { measurement: 6, label: "idle RSS of the private-side process", unit: "MiB", better: "lower",
      values: { ssh: rss(context.tunnel.clientPid) / 2 ** 20, outpost: rss(solo.proc.pid) / 2 ** 20 }, note },
    { measurement: 6, label: "executable size", unit: "MiB", better: "lower",
      values: { ssh: statSync("/usr/bin/ssh").size / 2 ** 20, outpost: context.cluster.binaryBytes / 2 ** 20 }, note: `${note} (shared libraries not counted)` },
    { measurement: 6, label: "process start to connected", unit: "ms", better: "lower",
      values: { ssh: context.tunnel.connectMs, outpost: solo.connectMs }, note },
  ];
}
