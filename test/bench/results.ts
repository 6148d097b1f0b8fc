/**
 * @module
 * What a run produces: one {@link Figure} per line of the results table, each with the
 * value measured on every path that has one, and the ratios the report and chart print.
 */
import type { PathName } from "./paths.ts";

export interface Figure {
  /** Which of the seven measurements this belongs to (1–7). */
  measurement: number;
  /** What is measured, e.g. "small query p50, concurrency 1". */
  label: string;
  unit: string;
  /** Which way is better; sets how the chart reads the ratio. */
  better: "higher" | "lower";
  values: Partial<Record<PathName, number>>;
  /** What a value means when it is not obvious (what the SSH column stands for, say). */
  note?: string;
}

export interface RunInfo {
  date: string;
  mode: string;
  machine: { cpus: number; memoryGiB: number; cpuModel: string; kernel: string };
  versions: Record<string, string>;
  sizes: Record<string, string>;
  seconds: number;
}

/** Outpost's value divided by `path`'s, or undefined when either is missing or zero. */
export function ratio(figure: Figure, path: Exclude<PathName, "outpost">): number | undefined {
  const outpost = figure.values.outpost;
  const other = figure.values[path];
  if (outpost === undefined || other === undefined || other === 0) return undefined;
  return outpost / other;
}

/** How many times better Outpost does than `path` (above 1 = Outpost better), whichever way the metric points. */
export function advantage(figure: Figure, path: Exclude<PathName, "outpost">): number | undefined {
  const raw = ratio(figure, path);
  if (raw === undefined) return undefined;
  if (figure.better === "higher") return raw;
  return raw === 0 ? undefined : 1 / raw;
}
