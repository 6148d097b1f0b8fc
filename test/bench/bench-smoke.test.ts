/**
 * The benchmark harness still works: a `--smoke` run (tiny sizes) starts every server, measures
 * every path and writes a sane report to a temp folder. Nothing here judges speed — benchmarks
 * are never timed tests.
 */
import { expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseOptions } from "./options.ts";
import { ratio } from "./results.ts";
import { runBench } from "./run.ts";

test("a smoke run measures every path and writes the table and chart", async () => {
  const out = mkdtempSync(join(tmpdir(), "outpost-bench-smoke-"));
  const output = await runBench(parseOptions(["--smoke", "--out", out], out), () => {});

  const measured = new Set(output.figures.map((figure) => figure.measurement));
  expect([...measured].sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
  for (const figure of output.figures) {
    for (const value of Object.values(figure.values)) {
      expect(Number.isFinite(value)).toBe(true);
      expect(value).toBeGreaterThanOrEqual(0);
    }
  }
  // Every rate and latency is positive on every path, and has both ratios; the bare relay
  // runs the small queries (latency and saturation) only.
  for (const figure of output.figures.filter((f) => f.unit === "ms" || f.unit.endsWith("/s"))) {
    if (figure.measurement === 6 || figure.measurement === 7) continue;
    const paths = figure.measurement <= 2 ? ["direct", "outpost", "relay", "ssh"] : ["direct", "outpost", "ssh"];
    expect(Object.keys(figure.values).sort()).toEqual(paths);
    for (const value of Object.values(figure.values)) expect(value).toBeGreaterThan(0);
    expect(ratio(figure, "ssh")).toBeGreaterThan(0);
    expect(ratio(figure, "direct")).toBeGreaterThan(0);
  }
  const byLabel = (text: string) => output.figures.find((figure) => figure.label.includes(text))!;
  expect(byLabel("at once: failed").values.outpost).toBe(0);
  expect(byLabel("failover: failed").values.outpost).toBe(0);
  expect(byLabel("idle RSS").values.outpost).toBeGreaterThan(0);

  const markdown = readFileSync(output.markdownPath, "utf8");
  expect(markdown).toContain("| # | measurement |");
  expect(markdown).toContain("Against the targets of issue 6");
  expect(markdown).toContain("Against the targets of issue 13");
  // CPU per small query is read for both processes of Outpost and of the bare relay.
  for (const label of ["CPU per small query: gateway", "CPU per small query: agent"]) {
    expect(Object.keys(byLabel(label).values).sort()).toEqual(["outpost", "relay"]);
    for (const value of Object.values(byLabel(label).values)) expect(value).toBeGreaterThan(0);
  }
  expect(markdown.match(/^\| \d \|/gm)?.length).toBe(output.figures.length);
  expect(readFileSync(output.svgPath, "utf8")).toStartWith("<svg");
  expect(existsSync(join(out, "README.md"))).toBe(false);
}, 240_000);
