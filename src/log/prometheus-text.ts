/**
 * @module
 * Prometheus text exposition (format 0.0.4), shared by the gateway's and the agent's
 * `/metrics`: a writer that emits each family's HELP and TYPE once, label escaping, fixed
 * bucket histograms, and the standard `process_*` family. It lives in `log` because both
 * processes may import it and it depends on nothing of ours.
 */
import { readFileSync, readdirSync } from "node:fs";

/** The content type Prometheus expects for this format. */
export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

export type Labels = Readonly<Record<string, string>>;

export interface Histogram {
  readonly bounds: readonly number[];
  /** Per bound, observations at or below it (not cumulative across bounds: rendering adds up). */
  readonly counts: number[];
  sum: number;
  count: number;
}

export function newHistogram(bounds: readonly number[]): Histogram {
  return { bounds, counts: bounds.map(() => 0), sum: 0, count: 0 };
}

export function observe(histogram: Histogram, value: number): void {
  // One slot per observation (the first bound it fits); cumulative counts are summed at render.
  const index = histogram.bounds.findIndex((bound) => value <= bound);
  if (index >= 0) histogram.counts[index]!++;
  histogram.sum += value;
  histogram.count++;
}

/** A counter family's values by label set. */
export class LabeledCounter {
  readonly #values = new Map<string, { labels: Labels; value: number }>();

  add(labels: Labels, by = 1): void {
    const key = Object.values(labels).join("\u0000");
    const entry = this.#values.get(key);
    if (entry) entry.value += by;
    else this.#values.set(key, { labels, value: by });
  }

  get(labels: Labels): number {
    return this.#values.get(Object.values(labels).join("\u0000"))?.value ?? 0;
  }

  entries(): IterableIterator<{ labels: Labels; value: number }> {
    return this.#values.values();
  }
}

export class MetricsText {
  readonly #lines: string[] = [];

  /** Starts a family; its samples follow. A family with no samples is still valid text. */
  family(name: string, type: "counter" | "gauge" | "histogram", help: string): this {
    this.#lines.push(`# HELP ${name} ${help.replace(/\\/g, "\\\\").replace(/\n/g, "\\n")}`, `# TYPE ${name} ${type}`);
    return this;
  }

  sample(name: string, labels: Labels, value: number): this {
    this.#lines.push(`${name}${formatLabels(labels)} ${formatValue(value)}`);
    return this;
  }

  /** Every entry of `counter` as a sample of `name`. */
  counter(name: string, counter: LabeledCounter, keep: (labels: Labels) => boolean = () => true): this {
    for (const { labels, value } of counter.entries()) if (keep(labels)) this.sample(name, labels, value);
    return this;
  }

  histogram(name: string, labels: Labels, histogram: Histogram): this {
    let cumulative = 0;
    histogram.bounds.forEach((bound, index) => {
      cumulative += histogram.counts[index]!;
      this.sample(`${name}_bucket`, { ...labels, le: String(bound) }, cumulative);
    });
    this.sample(`${name}_bucket`, { ...labels, le: "+Inf" }, histogram.count);
    this.sample(`${name}_sum`, labels, histogram.sum);
    return this.sample(`${name}_count`, labels, histogram.count);
  }

  toString(): string {
    return this.#lines.join("\n") + "\n";
  }
}

function formatLabels(labels: Labels): string {
  const pairs = Object.entries(labels);
  if (pairs.length === 0) return "";
  return `{${pairs.map(([name, value]) => `${name}="${escapeLabel(value)}"`).join(",")}}`;
}

export function escapeLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return String(value);
}

/** When this process started, seconds since the epoch; fixed at load so scrapes agree. */
const STARTED_AT = Date.now() / 1000 - process.uptime();

/**
 * The `process_*` family client libraries export. CPU, RSS and start time come from the
 * runtime on every OS; open and max file descriptors are read from `/proc/self` and are
 * left out where it does not exist (macOS, Windows).
 */
export function writeProcessMetrics(text: MetricsText): void {
  const cpu = process.cpuUsage();
  text.family("process_cpu_seconds_total", "counter", "User and system CPU time spent, in seconds.")
    .sample("process_cpu_seconds_total", {}, (cpu.user + cpu.system) / 1e6);
  text.family("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.")
    .sample("process_resident_memory_bytes", {}, process.memoryUsage.rss());
  text.family("process_start_time_seconds", "gauge", "Start time of the process since the Unix epoch, in seconds.")
    .sample("process_start_time_seconds", {}, Math.round(STARTED_AT * 1000) / 1000);
  const fds = openFds();
  if (fds !== undefined) text.family("process_open_fds", "gauge", "Open file descriptors.").sample("process_open_fds", {}, fds);
  const max = maxFds();
  if (max !== undefined) text.family("process_max_fds", "gauge", "Most file descriptors the process may open.").sample("process_max_fds", {}, max);
}

function openFds(): number | undefined {
  if (process.platform !== "linux") return undefined;
  try {
    return readdirSync("/proc/self/fd").length;
  } catch {
    return undefined;
  }
}

function maxFds(): number | undefined {
  if (process.platform !== "linux") return undefined;
  try {
    const line = readFileSync("/proc/self/limits", "utf8").split("\n").find((row) => row.startsWith("Max open files"));
    const soft = line?.slice("Max open files".length).trim().split(/\s+/)[0];
    // "unlimited" has no number; Prometheus's own clients leave the series out then too.
    return soft && /^\d+$/.test(soft) ? Number(soft) : undefined;
  } catch {
    return undefined;
  }
}
