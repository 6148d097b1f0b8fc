/**
 * Runs Prometheus's own parsers (Debian's `prometheus` package ships `promtool`) on what
 * the tests produce: `/metrics` text and the shipped alert rules.
 */
import { expect } from "bun:test";

/** `promtool check metrics` on `text`; fails the test with promtool's complaint. */
export async function expectPromtoolAccepts(text: string): Promise<void> {
  const child = Bun.spawn(["promtool", "check", "metrics"], { stdin: new TextEncoder().encode(text), stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  expect({ code, complaints: (out + err).trim() }).toEqual({ code: 0, complaints: "" });
}

/** `promtool check rules FILE`; returns its output for the caller to read, failing on a non-zero exit. */
export async function expectRulesValid(path: string): Promise<string> {
  const child = Bun.spawn(["promtool", "check", "rules", path], { stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  expect({ code, err: err.trim() }).toEqual({ code: 0, err: "" });
  return out;
}

/** The value of the one sample `series` (name and labels exactly as written), or undefined. */
export function sampleValue(text: string, series: string): number | undefined {
  const line = text.split("\n").find((row) => row.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}
