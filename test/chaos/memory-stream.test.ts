/**
 * Agent memory on the compiled binary (issue 13, item 4). A connected, idle agent with a
 * PostgreSQL and a files profile stays small; and a caller that reads a 10-million-row
 * stream slowly (curl with `--limit-rate`, so the slowness reaches the gateway's socket
 * as TCP backpressure) keeps the agent's RSS flat, and the gateway's: what each holds for a
 * stream is bounded by its flow-control window and the WebSocket high-water mark, not by
 * the rows the database can produce. After the caller leaves, the agent still answers.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, readFileSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startPostgres, type TestPostgres } from "../support/postgres.ts";
import { waitFor } from "../support/stack.ts";
import { startCompiledStack, type AgentProcess, type CompiledStack } from "./support/compiled-stack.ts";

const ROWS = 10_000_000;
/** Bytes per second the slow caller reads: ~13,000 rows/s, so 10 M rows would take ~12 minutes. */
const RATE = 1024 * 1024;
const MiB = 1024 * 1024;

let pg: TestPostgres;
let stack: CompiledStack;
let agent: AgentProcess;

beforeAll(async () => {
  pg = await startPostgres();
  stack = await startCompiledStack();
  const url = new URL(pg.url);
  agent = await stack.addAgent("alpha", {
    profiles: [
      "databases:", "  pg:", "    adapter: postgresql", "    host: 127.0.0.1", `    port: ${url.port}`, `    database: ${url.pathname.slice(1)}`,
      `    username: ${decodeURIComponent(url.username)}`, `    password: ${JSON.stringify(decodeURIComponent(url.password))}`,
      "files:", "  share:", "    base: '{dir}/share'",
    ].join("\n"),
    extra: "logging:\n  level: warn\n",
    prepare: (dir) => {
      mkdirSync(join(dir, "share"));
      // Sparse: 1 GiB to stream without writing 1 GiB to disk.
      writeFileSync(join(dir, "share", "big.bin"), "");
      truncateSync(join(dir, "share", "big.bin"), 1024 * MiB);
    },
  });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  await pg?.stop();
});

/** Resident memory of a process, in bytes. */
function rss(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) * 1024;
}

test("a connected idle agent stays under 60 MiB of RSS (no schema compiler, yargs or libsodium WASM resident)", async () => {
  // Settled: the connect burst is over.
  await Bun.sleep(2000);
  const idle = rss(agent.proc.pid);
  expect(idle).toBeGreaterThan(0);
  expect(idle / MiB).toBeLessThan(60);
});

/**
 * Reads `path` with curl at RATE for `seconds`, sampling agent and gateway RSS, and checks
 * both stay bounded and flat. Returns the bytes curl read.
 */
async function readSlowly(path: string, seconds: number, curlArgs: string[] = []): Promise<number> {
  const caPath = join(stack.work, "ca.pem");
  writeFileSync(caPath, stack.ca.certPem);
  const started = performance.now();
  const curl = Bun.spawn([
    "curl", "-sS", "-N", "--cacert", caPath, "--limit-rate", String(RATE), "--max-time", String(seconds),
    "-H", `authorization: Bearer ${stack.token}`, ...curlArgs, "-o", "/dev/null", "-w", "%{http_code} %{size_download}",
    `https://localhost:${stack.port}${path}`,
  ], { stdout: "pipe", stderr: "pipe" });
  const samples: { seconds: number; agent: number; gateway: number }[] = [];
  while (curl.exitCode === null) {
    samples.push({ seconds: (performance.now() - started) / 1000, agent: rss(agent.proc.pid), gateway: rss(stack.gateway.pid) });
    await Promise.race([curl.exited, Bun.sleep(250)]);
  }
  const [status, downloaded] = (await new Response(curl.stdout).text()).split(" ").map(Number);
  expect(status).toBe(200);
  // It streamed for the whole slow phase, and only a small part of the answer was read.
  expect(downloaded!).toBeGreaterThan(RATE * seconds / 4);
  expect(downloaded!).toBeLessThan(RATE * (seconds + 5));

  const streaming = samples.filter((s) => s.seconds >= 2);
  expect(streaming.length).toBeGreaterThan(seconds * 2);
  const third = Math.floor(streaming.length / 3);
  for (const side of ["agent", "gateway"] as const) {
    const peak = (list: typeof streaming) => Math.max(...list.map((s) => s[side])) / MiB;
    const [all, early, late] = [peak(streaming), peak(streaming.slice(0, third)), peak(streaming.slice(-third))];
    console.log(`${side} RSS while a caller read ${(downloaded! / MiB).toFixed(0)} MiB of ${path} slowly: peak ${all.toFixed(1)} MiB (first third ${early.toFixed(1)}, last third ${late.toFixed(1)})`);
    // Bounded: without flow control one side would hold what the source produced meanwhile (hundreds of MiB).
    expect({ side, peakMiB: all < 128 }).toEqual({ side, peakMiB: true });
    // Flat: the last third of the run holds no more than the first (GC noise aside).
    expect({ side, growthMiB: late - early < 16 }).toEqual({ side, growthMiB: true });
  }
  return downloaded!;
}

test("a slow reader of a 10-million-row stream keeps the agent's RSS flat", async () => {
  const sql = `select g as id, md5(g::text) as digest from generate_series(1, ${ROWS}) g`;
  await readSlowly("/v1/groups/sales/db/pg/query", 20, ["-H", "accept: application/x-ndjson", "-H", "content-type: application/json", "--data", JSON.stringify({ sql })]);
  // The caller left: the agent drops the stream and serves the next call.
  await waitFor(async () => {
    const response = await stack.call("/v1/groups/sales/db/pg/query", { method: "POST", body: JSON.stringify({ sql: "select 1 as one" }) });
    return response.ok && ((await response.json()) as { rows: { one: number }[] }).rows[0]?.one === 1;
  }, "the agent to answer after the slow caller left", 10_000);
}, 60_000);

test("a slow reader of a 1 GiB download keeps the agent's RSS flat", async () => {
  await readSlowly("/v1/groups/sales/files/share/big.bin", 10);
}, 60_000);
