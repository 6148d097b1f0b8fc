/**
 * @module
 * The measuring tools every scenario shares: a monotonic clock, percentiles, a closed-loop
 * load runner, and an RSS sampler that reads `/proc/<pid>/status` (VmRSS while running;
 * VmHWM, the kernel's own peak, after `clear_refs` resets it so a peak belongs to one
 * measurement).
 */
import { readFileSync, writeFileSync } from "node:fs";

/** Milliseconds on a monotonic clock. */
export const now = (): number => performance.now();

/** The `p`-th percentile (0–100) of `values`, nearest-rank; 0 for no values. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export interface Latencies {
  p50: number;
  p90: number;
  p99: number;
}

/** Runs `total` calls with `concurrency` of them in flight; returns each call's latency in ms. */
export async function timeCalls(total: number, concurrency: number, call: (i: number) => Promise<unknown>): Promise<number[]> {
  const latencies: number[] = [];
  let next = 0;
  const worker = async () => {
    while (next < total) {
      const i = next++;
      const started = now();
      await call(i);
      latencies.push(now() - started);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));
  return latencies;
}

export function summarize(latencies: number[]): Latencies {
  return { p50: percentile(latencies, 50), p90: percentile(latencies, 90), p99: percentile(latencies, 99) };
}

/** Keeps `workers` calls in flight for `seconds`; returns completed calls per second. */
export async function saturate(seconds: number, workers: number, call: (i: number) => Promise<unknown>): Promise<number> {
  const deadline = now() + seconds * 1000;
  let done = 0;
  const started = now();
  const worker = async () => {
    while (now() < deadline) {
      await call(done);
      done++;
    }
  };
  await Promise.all(Array.from({ length: workers }, worker));
  return done / ((now() - started) / 1000);
}

/** CPU time a process has used so far (user + system), in ms. */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name (which may hold spaces) start after the last ")".
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
}

/** Kernel clock ticks per second (`getconf CLK_TCK`; 100 on every Linux we run on). */
const CLOCK_TICKS = 100;

/** Resident set size of a process in bytes: `VmRSS` now, or `VmHWM` (peak since the last reset). */
export function rss(pid: number, field: "VmRSS" | "VmHWM" = "VmRSS"): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status);
  return match ? Number(match[1]) * 1024 : 0;
}

/**
 * Watches a process's memory during one measurement. `clear_refs` 5 resets the kernel's peak
 * (root or the same user only); sampling every 20 ms is a second source when that fails.
 */
export class PeakRss {
  readonly #pid: number;
  readonly #timer: ReturnType<typeof setInterval>;
  #peak = 0;
  #kernelPeakValid = false;

  constructor(pid: number) {
    this.#pid = pid;
    try {
      writeFileSync(`/proc/${pid}/clear_refs`, "5");
      this.#kernelPeakValid = true;
    } catch {
      // Without the reset VmHWM is the lifetime peak; only the samples below bound this window.
    }
    this.#sample();
    this.#timer = setInterval(() => this.#sample(), 20);
  }

  #sample(): void {
    try {
      this.#peak = Math.max(this.#peak, rss(this.#pid));
    } catch {
      // The process may be gone (failover); keep the last peak.
    }
  }

  /** Stops sampling; the larger of the sampled peak and the kernel's. */
  stop(): number {
    clearInterval(this.#timer);
    this.#sample();
    let kernel = 0;
    try {
      if (this.#kernelPeakValid) kernel = rss(this.#pid, "VmHWM");
    } catch {
      // gone
    }
    return Math.max(this.#peak, kernel);
  }
}
