/**
 * @module
 * The sizes of one benchmark run. `full` is what the committed results use; `quick` keeps a
 * run under two minutes on a shared 2-core machine; `smoke` is the CI check that the
 * harness still works end to end (its numbers mean nothing).
 */

export type BenchMode = "full" | "quick" | "smoke";

export interface BenchOptions {
  mode: BenchMode;
  /** Where the markdown and SVG go. Defaults to `docs/benchmarks/`. */
  outDir: string;
  /** Small queries per latency sample at concurrency 1 and 64. */
  latencyQueries: number;
  /** Seconds of closed-loop load per saturation measurement. */
  saturationSeconds: number;
  /** Workers of the saturation load (each keeps one query in flight). */
  saturationWorkers: number;
  /** Rows of ~100 bytes streamed to the caller. */
  bulkRows: number;
  /** Bytes of the file downloaded and uploaded. */
  fileBytes: number;
  /** Requests started at once on one agent connection. */
  concurrentRequests: number;
  /** Seconds of steady load after one agent of two is killed. */
  failoverSeconds: number;
}

const MiB = 1024 * 1024;

const SIZES: Record<BenchMode, Omit<BenchOptions, "mode" | "outDir">> = {
  full: { latencyQueries: 2000, saturationSeconds: 8, saturationWorkers: 64, bulkRows: 1_000_000, fileBytes: 1024 * MiB, concurrentRequests: 10_000, failoverSeconds: 6 },
  quick: { latencyQueries: 400, saturationSeconds: 3, saturationWorkers: 64, bulkRows: 100_000, fileBytes: 64 * MiB, concurrentRequests: 1_000, failoverSeconds: 3 },
  smoke: { latencyQueries: 100, saturationSeconds: 1, saturationWorkers: 16, bulkRows: 10_000, fileBytes: 8 * MiB, concurrentRequests: 200, failoverSeconds: 2 },
};

/** Reads `--quick`, `--smoke` and `--out <dir>` from argv. */
export function parseOptions(argv: string[], defaultOut: string): BenchOptions {
  const mode: BenchMode = argv.includes("--smoke") ? "smoke" : argv.includes("--quick") ? "quick" : "full";
  const outAt = argv.indexOf("--out");
  const outDir = outAt >= 0 && argv[outAt + 1] ? argv[outAt + 1]! : defaultOut;
  return { mode, outDir, ...SIZES[mode] };
}
