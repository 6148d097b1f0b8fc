/**
 * @module
 * Measurement 3: the whole `bulk` table (rows of ~100 bytes) streamed to the caller — rows
 * arrive as objects on every path (postgres.js rows; the client's NDJSON rows). MB/s counts
 * the rows' text (id and payload), the same bytes on every path. Peak RSS is the agent's for
 * Outpost and the `ssh -R` client's for SSH, each the process that carries the data out of
 * the private network.
 */
import type { BenchContext } from "../context.ts";
import { now, PeakRss } from "../measure.ts";
import type { PathName } from "../paths.ts";
import type { Figure } from "../results.ts";

export async function bulkScenario(context: BenchContext): Promise<Figure[]> {
  const { bulkRows, bulkBytes } = context.data;
  const rowsPerSecond: Partial<Record<PathName, number>> = {};
  const peak: Partial<Record<PathName, number>> = {};
  for (const path of [context.direct, context.ssh, context.outpost]) {
    const watched = path.name === "outpost" ? context.soloPid : path.name === "ssh" ? context.tunnel.clientPid : undefined;
    const rss = watched === undefined ? undefined : new PeakRss(watched);
    const started = now();
    const rows = await path.streamBulk();
    const seconds = (now() - started) / 1000;
    const peakBytes = rss?.stop();
    if (peakBytes !== undefined) peak[path.name] = peakBytes / 2 ** 20;
    if (rows !== bulkRows) throw new Error(`${path.name} streamed ${rows} rows, expected ${bulkRows}`);
    rowsPerSecond[path.name] = rows / seconds;
    context.log(`bulk ${path.name}: ${(rows / seconds).toFixed(0)} rows/s`);
  }
  const mbPerSecond = Object.fromEntries(Object.entries(rowsPerSecond).map(([name, rate]) => [name, (rate * bulkBytes) / bulkRows / 1e6]));
  return [
    { measurement: 3, label: `${bulkRows.toLocaleString("en")} rows streamed: rows/s`, unit: "rows/s", better: "higher", values: rowsPerSecond },
    { measurement: 3, label: "rows streamed: MB/s of row text", unit: "MB/s", better: "higher", values: mbPerSecond },
    { measurement: 3, label: "rows streamed: peak RSS of the private-side process", unit: "MiB", better: "lower", values: peak,
      note: "Outpost: the agent; SSH: the `ssh -R` client" },
  ];
}
