/**
 * @module
 * The results file of a run: the machine and versions, then one table row per figure with
 * the value on each path and Outpost's ratio to SSH, to direct and to the bare relay of its
 * own design (Outpost ÷ other), then where Outpost stands against the targets of issues 6
 * and 13, computed from the same figures.
 */
import { advantage, ratio, type Figure, type RunInfo } from "./results.ts";

const MEASUREMENTS = [
  "", "Small-query latency", "Saturation throughput", "Bulk rows", "File transfer",
  "Concurrent requests on one agent", "Footprint", "Failover",
];

export function format(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return "—";
  const abs = Math.abs(value);
  if (Number.isInteger(value) || abs >= 10_000) return Math.round(value).toLocaleString("en");
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

const times = (value: number | undefined) => (value === undefined ? "—" : `${format(value)}×`);

export function renderReport(info: RunInfo, figures: Figure[], chartFile: string): string {
  const lines = [
    `# Benchmark run ${info.date} (${info.mode})`,
    "",
    `Machine: ${info.machine.cpus} CPUs (${info.machine.cpuModel}), ${info.machine.memoryGiB} GiB memory, Linux ${info.machine.kernel}; shared with other work, so absolute numbers are noisy — compare the ratios.`,
    `Versions: ${Object.entries(info.versions).map(([name, version]) => `${name} ${version}`).join(", ")}.`,
    `Sizes: ${Object.entries(info.sizes).map(([name, size]) => `${name} ${size}`).join(", ")}. The run took ${Math.round(info.seconds)} s.`,
    "",
    "Paths: **direct** is postgres.js straight to PostgreSQL; **SSH** is postgres.js through an `ssh -R` reverse tunnel to a local OpenSSH server; **relay** is the bare relay of Outpost's own design (`test/bench/bare-relay/`: a Bun.serve HTTPS front, one TLS WebSocket, a Bun agent answering `sql.unsafe()` JSON from a pool of 10 — no auth, routing or flow control), called with fetch and keep-alive; **Outpost** is the typed client (`src/client`) calling the compiled gateway over HTTPS with keep-alive, to the compiled agent over its TLS WebSocket. Outpost ÷ relay is the overhead Outpost adds to its own design. TLS is on everywhere (PostgreSQL certificates verified; the agent uses `verify-full`).",
    "Ratios are Outpost ÷ the other path: below 1 is better for times and memory, above 1 is better for rates.",
    "",
    `![Outpost against SSH and direct](${chartFile})`,
    "",
    "| # | measurement | unit | direct | SSH tunnel | relay | Outpost | Outpost ÷ SSH | Outpost ÷ direct | Outpost ÷ relay | notes |",
    "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|",
  ];
  for (const figure of figures) {
    const { direct, ssh, relay, outpost } = figure.values;
    lines.push(`| ${figure.measurement} | ${figure.label} | ${figure.unit} | ${format(direct)} | ${format(ssh)} | ${format(relay)} | ${format(outpost)} | ${times(ratio(figure, "ssh"))} | ${times(ratio(figure, "direct"))} | ${times(ratio(figure, "relay"))} | ${figure.note ?? ""} |`);
  }
  lines.push("", "Measurements: " + MEASUREMENTS.slice(1).map((name, i) => `${i + 1}. ${name}`).join("; ") + ".", "");
  lines.push("## Against the targets of issue 6", "", ...targets(figures).map((line) => `- ${line}`), "");
  lines.push("## Against the targets of issue 13 (the cost of Outpost's own design)", "", ...designTargets(figures).map((line) => `- ${line}`), "");
  lines.push("Profiling, causes and changes: [findings.md](findings.md).", "");
  return lines.join("\n");
}

function find(figures: Figure[], text: string): Figure | undefined {
  return figures.find((figure) => figure.label.includes(text));
}

const verdict = (met: boolean | undefined) => (met === undefined ? "not measured" : met ? "**met**" : "**not met**");

/** One line per target, judged on this run's figures. */
export function targets(figures: Figure[]): string[] {
  const p50 = find(figures, "p50, concurrency 1");
  const qps = find(figures, "saturation, one agent");
  const rows = find(figures, "rows/s");
  const down = find(figures, "download: MB/s");
  const up = find(figures, "upload: MB/s");
  const fileRss = [find(figures, "download: peak RSS"), find(figures, "upload: peak RSS")].map((f) => f?.values.outpost);
  const idle = find(figures, "idle RSS")?.values.outpost;
  const burstFailed = find(figures, "at once: failed")?.values.outpost;
  const failed = find(figures, "failover: failed")?.values.outpost;
  const gap = find(figures, "failover: longest gap")?.values.outpost;
  const slowest = find(figures, "failover: slowest")?.values.outpost;
  const adv = (figure: Figure | undefined, path: "ssh" | "direct") => (figure ? advantage(figure, path) : undefined);
  const at = (value: number | undefined) => (value === undefined ? undefined : value);
  const peakFile = Math.max(...fileRss.map((v) => v ?? 0));
  const stall = Math.max(gap ?? 0, slowest ?? 0);
  return [
    `small-query p50 no worse than the SSH tunnel: ${verdict(p50 && adv(p50, "ssh")! >= 1)} (Outpost ${format(p50?.values.outpost)} ms, SSH ${format(p50?.values.ssh)} ms)`,
    `saturation throughput at least the SSH tunnel's: ${verdict(qps && adv(qps, "ssh")! >= 1)} (${times(qps && ratio(qps, "ssh"))} SSH with one agent)`,
    `bulk rows at least 80% of a direct postgres.js read: ${verdict(rows && adv(rows, "direct")! >= 0.8)} (${format(rows && 100 * ratio(rows, "direct")!)}% of direct)`,
    `file transfer at least the SSH tunnel's: ${verdict(down && up && adv(down, "ssh")! >= 1 && adv(up, "ssh")! >= 1)} (download ${times(down && ratio(down, "ssh"))}, upload ${times(up && ratio(up, "ssh"))} SSH)`,
    `agent RSS under 64 MB while streaming the file: ${verdict(fileRss.every((v) => v !== undefined) ? peakFile < 64 : undefined)} (peak ${format(peakFile)} MiB); idle RSS under 40 MB: ${verdict(at(idle) === undefined ? undefined : idle! < 40)} (${format(idle)} MiB)`,
    `concurrent streams without an error: ${verdict(burstFailed === undefined ? undefined : burstFailed === 0)} (${format(burstFailed)} failed)`,
    `failover with 0 failed idempotent requests and a stall under 5 s: ${verdict(failed === undefined ? undefined : failed === 0 && stall < 5000)} (${format(failed)} failed, longest stall ${format(stall)} ms)`,
  ];
}

/** Issue 13's targets: Outpost against the bare relay of its design, and against itself. */
export function designTargets(figures: Figure[]): string[] {
  const one = find(figures, "saturation, one agent");
  const pair = find(figures, "saturation, group of two");
  const p50 = find(figures, "p50, concurrency 1");
  const p99 = find(figures, "p99, concurrency 64");
  const rows = find(figures, "rows/s");
  const idle = find(figures, "idle RSS")?.values.outpost;
  const streamingRss = find(figures, "rows streamed: peak RSS")?.values.outpost;
  const front = find(figures, "CPU per small query: gateway");
  const agent = find(figures, "CPU per small query: agent");
  const of = (figure: Figure | undefined, path: "relay" | "direct") => (figure ? ratio(figure, path) : undefined);
  const judged = (value: number | undefined, ok: (v: number) => boolean) => verdict(value === undefined ? undefined : ok(value));
  const onePair = one?.values.outpost !== undefined && pair?.values.outpost !== undefined ? pair.values.outpost / one.values.outpost : undefined;
  return [
    `saturation of one agent ≥ 0.8× the bare relay: ${judged(of(one, "relay"), (v) => v >= 0.8)} (${times(of(one, "relay"))})`,
    `a group of two ≥ one agent: ${judged(onePair, (v) => v >= 1)} (${times(onePair)})`,
    `c=1 p50 ≤ 1.5× the bare relay: ${judged(of(p50, "relay"), (v) => v <= 1.5)} (${times(of(p50, "relay"))})`,
    `c=64 p99 ≤ 2× the bare relay: ${judged(of(p99, "relay"), (v) => v <= 2)} (${times(of(p99, "relay"))})`,
    `bulk rows in the compact form (NDJSON of arrays, the client's stream) ≥ 0.6× direct: ${judged(of(rows, "direct"), (v) => v >= 0.6)} (${times(of(rows, "direct"))}); NDJSON of objects (≥ 0.45×) is not measured by this run`,
    `agent idle RSS ≤ 50 MiB: ${judged(idle, (v) => v <= 50)} (${format(idle)} MiB); peak while streaming rows ≤ 80 MiB: ${judged(streamingRss, (v) => v <= 80)} (${format(streamingRss)} MiB)`,
    `gateway CPU per small query ≤ 1.5× the relay's front: ${judged(of(front, "relay"), (v) => v <= 1.5)} (${format(front?.values.outpost)} vs ${format(front?.values.relay)} µs)`,
    `agent CPU per small query ≤ 1.5× the relay's agent: ${judged(of(agent, "relay"), (v) => v <= 1.5)} (${format(agent?.values.outpost)} vs ${format(agent?.values.relay)} µs)`,
  ];
}
