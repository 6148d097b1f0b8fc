/**
 * @module
 * A load generator run as its own process (`bun load-worker.ts '<json options>'`), so a
 * thousand callers are not capped by the test process's fetch pool
 * (`BUN_CONFIG_MAX_HTTP_REQUESTS` is read at start) and their memory is not counted in it.
 * Each caller loops until the time is up; the result (status and error counts, latency
 * percentiles) is one JSON line on stdout.
 */
import { readFileSync } from "node:fs";

export interface LoadOptions {
  url: string;
  token: string;
  caPath: string;
  callers: number;
  seconds: number;
  /** JSON body of each POST. */
  body: string;
  /** Callers start spread over this many ms (a real crowd does not dial in the same microsecond). Defaults to `0`. */
  rampMs?: number;
}

export interface LoadResult {
  requests: number;
  /** `200`, `503:UNAVAILABLE:true`, `error:<message>`… → count. */
  outcomes: Record<string, number>;
  /** Requests answered per agent (x-outpost-agent). */
  agents: Record<string, number>;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

if (import.meta.main) {
  const options = JSON.parse(process.argv[2]!) as LoadOptions;
  const ca = readFileSync(options.caPath, "utf8");
  const outcomes: Record<string, number> = {};
  const agents: Record<string, number> = {};
  const latencies: number[] = [];
  const until = performance.now() + options.seconds * 1000;
  const caller = async (index: number) => {
    await Bun.sleep(((options.rampMs ?? 0) * index) / options.callers);
    while (performance.now() < until) {
      const started = performance.now();
      let outcome: string;
      try {
        const response = await fetch(options.url, {
          method: "POST", body: options.body, tls: { ca }, headers: { authorization: `Bearer ${options.token}` },
        });
        const text = await response.text();
        const answer = (response.ok ? {} : JSON.parse(text)) as { error?: { code: string; retryable: boolean } };
        outcome = response.ok ? String(response.status) : `${response.status}:${answer.error?.code}:${answer.error?.retryable}`;
        const agent = response.headers.get("x-outpost-agent");
        if (agent) agents[agent] = (agents[agent] ?? 0) + 1;
      } catch (error) {
        outcome = `error:${(error as Error).message.slice(0, 80)}`;
      }
      latencies.push(performance.now() - started);
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: options.callers }, (_, index) => caller(index)));
  latencies.sort((a, b) => a - b);
  const at = (q: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0);
  const result: LoadResult = { requests: latencies.length, outcomes, agents, p50Ms: at(0.5), p99Ms: at(0.99), maxMs: at(1) };
  process.stdout.write(JSON.stringify(result) + "\n");
}

/** Runs the worker in its own Bun process and returns its result. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const child = Bun.spawn(["bun", import.meta.path, JSON.stringify(options)], {
    env: { ...process.env, BUN_CONFIG_MAX_HTTP_REQUESTS: String(Math.min(65_000, options.callers + 16)) },
    stdout: "pipe", stderr: "pipe",
  });
  const [out, err, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  if (code !== 0) throw new Error(`load worker failed (${code}): ${err}`);
  return JSON.parse(out.trim().split("\n").pop()!) as LoadResult;
}
