/**
 * @module
 * Outpost as customers run it, from the compiled binary: a TLS gateway (`outpost gateway
 * serve`), an admin token, and agents activated with `outpost activate` and started with
 * `outpost run`, each offering the benchmark's PostgreSQL (TLS, verify-full) as `pg` and
 * its file folder as `share`. Group `one` has a single agent; group `pair` has two, for
 * the group and failover measurements.
 */
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { BINARY, ensureBinary, runBinary } from "../support/binary.ts";
import { createTestCa, type TestCa } from "../support/certs.ts";
import { freePort } from "../support/ports.ts";
import { now } from "./measure.ts";
import type { BenchData } from "./servers.ts";

export interface BenchAgent {
  name: string;
  group: string;
  proc: Subprocess;
  /** Milliseconds from spawning `outpost run` to its "connected to the gateway" log line. */
  connectMs: number;
}

export interface OutpostCluster {
  url: string;
  token: string;
  caPem: string;
  gateway: Subprocess;
  agents: Map<string, BenchAgent>;
  binaryBytes: number;
  version: string;
  stop(): Promise<void>;
}

export interface ClusterOptions {
  data: BenchData;
  /** Requests an agent may hold waiting beyond its concurrency before answering 503. */
  queueSize: number;
  /**
   * How to start the long-running `outpost` processes (gateway, agents). Defaults to the
   * compiled binary; profiling uses `["bun", "--cpu-prof", "src/cli/main.ts"]`.
   */
  command?: string[];
}

/** Starts the gateway, groups `one` (agent `solo`) and `pair` (agents `alpha`, `beta`). */
export async function startCluster(options: ClusterOptions): Promise<OutpostCluster> {
  await ensureBinary();
  const work = mkdtempSync(join(tmpdir(), "outpost-bench-cluster-"));
  const dataDir = join(work, "gateway-data");
  const ca = createTestCa("Outpost Bench CA");
  const cert = ca.issue("gateway");
  const port = await freePort();
  const cli = async (args: string[]) => {
    const result = await runBinary(args, { cwd: work });
    if (result.code !== 0) throw new Error(`outpost ${args[0]} ${args[1] ?? ""} failed: ${result.stderr}`);
    return result.stdout;
  };
  const command = options.command ?? [BINARY];
  const gateway = Bun.spawn([...command, "gateway", "serve", "--data-dir", dataDir, "--port", String(port), "--tls-cert", cert.certPath, "--tls-key", cert.keyPath],
    { cwd: work, stdin: "ignore", stdout: "ignore", stderr: "ignore" });
  const url = `https://localhost:${port}`;
  await waitUntil(async () => (await fetch(`${url}/healthz`, { tls: { ca: ca.certPem } }).catch(() => undefined))?.ok === true, "the gateway to listen");
  // The admin commands never create a store: `gateway serve` makes it, they run beside it.
  for (const group of ["one", "pair"]) await cli(["gateway", "group", "create", group, "--data-dir", dataDir]);
  const token = (JSON.parse(await cli(["gateway", "token", "create", "--name", "bench", "--admin", "--data-dir", dataDir, "--json"])) as { secret: string }).secret;

  const agents = new Map<string, BenchAgent>();
  for (const [name, group] of [["solo", "one"], ["alpha", "pair"], ["beta", "pair"]] as const) {
    const config = writeAgentConfig(join(work, name), options);
    const added = JSON.parse(await cli(["gateway", "agent", "add", group, "--name", name, "--data-dir", dataDir, "--json"])) as { activationCode: string };
    await cli(["activate", added.activationCode, "--gateway", `wss://localhost:${port}`, "--ca", ca.certPath, "--config", config]);
    agents.set(name, await startAgent(name, group, [...command, "run", "--config", config], work));
  }
  const version = (await cli(["--version"])).trim();
  return {
    url,
    token,
    caPem: ca.certPem,
    gateway,
    agents,
    binaryBytes: statSync(BINARY).size,
    version,
    async stop() {
      for (const proc of [...[...agents.values()].map((agent) => agent.proc), gateway]) proc.kill("SIGKILL");
      await Promise.all([...agents.values()].map((agent) => agent.proc.exited).concat(gateway.exited));
      rmSync(work, { recursive: true, force: true });
    },
  };
}

function writeAgentConfig(dir: string, options: ClusterOptions): string {
  mkdirSync(dir, { recursive: true });
  const { pg, filesDir } = options.data;
  const path = join(dir, "config.yml");
  writeFileSync(path, [
    "databases:",
    "  pg:",
    "    adapter: postgresql",
    `    host: 127.0.0.1`,
    `    port: ${pg.port}`,
    `    database: ${pg.database}`,
    `    username: ${pg.user}`,
    `    password: ${JSON.stringify(pg.password)}`,
    `    ssl: {mode: verify-full, ca: ${JSON.stringify(pg.caPath)}}`,
    "    pool: {size: 10}",
    "files:",
    "  share:",
    `    base: ${JSON.stringify(filesDir)}`,
    "agent:",
    `  queue_size: ${Math.max(256, options.queueSize)}`,
    "  shutdown_grace: 2",
    "logging:",
    "  level: info",
    "  format: json",
    "",
  ].join("\n"));
  return path;
}

/** Spawns `outpost run` and resolves once it logs that it is connected. */
async function startAgent(name: string, group: string, argv: string[], cwd: string): Promise<BenchAgent> {
  const started = now();
  const proc = Bun.spawn(argv, { cwd, stdin: "ignore", stdout: "ignore", stderr: "pipe" });
  const reader = proc.stderr.getReader();
  const decoder = new TextDecoder();
  let seen = "";
  const timeout = setTimeout(() => proc.kill("SIGKILL"), 30_000);
  try {
    while (!seen.includes("connected to the gateway")) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`agent ${name} exited before connecting: ${seen.slice(-2000)}`);
      seen += decoder.decode(value, { stream: true });
    }
  } finally {
    clearTimeout(timeout);
  }
  const connectMs = now() - started;
  // Keep draining its log so a full pipe never blocks the agent.
  void (async () => {
    while (!(await reader.read().catch(() => ({ done: true }))).done) {}
  })();
  return { name, group, proc, connectMs };
}

async function waitUntil(check: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = now() + timeoutMs;
  while (now() < deadline) {
    if (await check()) return;
    await Bun.sleep(20);
  }
  throw new Error(`timed out waiting for ${what}`);
}
