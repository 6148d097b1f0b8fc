/**
 * @module
 * `bun run bench [--quick | --smoke] [--out <dir>]`: starts PostgreSQL (TLS), an SSH
 * reverse tunnel and a compiled Outpost gateway with three agents on loopback, measures the
 * seven figures of issue 6 on every path in this one run, and writes
 * `<out>/<date>-<mode>.md`, `.svg` and `.json` (a full run into docs/benchmarks/ also
 * points `README.md` at itself). Numbers are printed as they come; nothing is asserted.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { renderChart } from "./chart.ts";
import type { BenchContext, Scenario } from "./context.ts";
import { machine, versions } from "./machine.ts";
import { now } from "./measure.ts";
import { parseOptions, type BenchOptions } from "./options.ts";
import { startCluster } from "./outpost-cluster.ts";
import { startBareRelay } from "./bare-relay.ts";
import { outpostClient, outpostPath, postgresPath, relayPath } from "./paths.ts";
import { renderReport } from "./report.ts";
import type { Figure, RunInfo } from "./results.ts";
import { bulkScenario } from "./scenarios/bulk.ts";
import { concurrencyScenario } from "./scenarios/concurrency.ts";
import { failoverScenario } from "./scenarios/failover.ts";
import { filesScenario } from "./scenarios/files.ts";
import { footprintScenario } from "./scenarios/footprint.ts";
import { latencyScenario } from "./scenarios/latency.ts";
import { saturationScenario } from "./scenarios/saturation.ts";
import { startData } from "./servers.ts";
import { startSshTunnel } from "./ssh-tunnel.ts";
import { writeReadme } from "./readme.ts";

const REPO = resolve(import.meta.dir, "../..");

/** Footprint first (the agents are still idle); failover last (it kills an agent). */
const SCENARIOS: Scenario[] = [footprintScenario, latencyScenario, saturationScenario, bulkScenario, filesScenario, concurrencyScenario, failoverScenario];

export interface BenchOutput {
  markdownPath: string;
  svgPath: string;
  jsonPath: string;
  figures: Figure[];
  info: RunInfo;
}

const MAX_HTTP = "BUN_CONFIG_MAX_HTTP_REQUESTS";

/** Runs every scenario and writes the results; cleans up everything it started, even on failure. */
export async function runBench(options: BenchOptions, log: (line: string) => void = console.log): Promise<BenchOutput> {
  const started = now();
  log(`bench (${options.mode}): starting PostgreSQL, sshd + ssh -R, and the compiled gateway and agents`);
  const data = await startData(options.bulkRows, options.fileBytes);
  const cleanups: (() => Promise<void>)[] = [() => data.stop()];
  try {
    const tunnel = await startSshTunnel(data.pg.port);
    cleanups.unshift(() => tunnel.stop());
    const cluster = await startCluster({ data, queueSize: options.concurrentRequests });
    cleanups.unshift(() => cluster.stop());
    const bareRelay = await startBareRelay(data.pg);
    cleanups.unshift(() => bareRelay.stop());
    const client = outpostClient(cluster.url, cluster.token, cluster.caPem);
    const direct = postgresPath("direct", data.pg, data.pg.port);
    const ssh = postgresPath("ssh", data.pg, tunnel.dbPort);
    cleanups.unshift(() => direct.close(), () => ssh.close());
    const context: BenchContext = {
      options, data, tunnel, cluster, client, direct, ssh, bareRelay, relay: relayPath(bareRelay.url, bareRelay.caPem),
      outpost: outpostPath(client, "one"), outpostPair: outpostPath(client, "pair"),
      soloPid: cluster.agents.get("solo")!.proc.pid,
      gatewayPid: cluster.gateway.pid,
      pairPids: ["alpha", "beta"].map((name) => cluster.agents.get(name)!.proc.pid),
      log,
    };
    const figures: Figure[] = [];
    for (const scenario of SCENARIOS) figures.push(...(await scenario(context)));
    const postgresVersion = (await data.pg.psql("SHOW server_version")).trim();
    const info: RunInfo = {
      date: new Date().toISOString().slice(0, 16).replace("T", " ") + " UTC",
      mode: options.mode,
      machine: machine(),
      versions: await versions(cluster.version, postgresVersion),
      sizes: {
        "small queries per sample": String(options.latencyQueries), "saturation": `${options.saturationSeconds} s × ${options.saturationWorkers} callers`,
        rows: options.bulkRows.toLocaleString("en"), file: `${options.fileBytes / 2 ** 20} MiB`, "requests at once": options.concurrentRequests.toLocaleString("en"),
      },
      seconds: (now() - started) / 1000,
    };
    return writeOutput(options, info, figures);
  } finally {
    for (const cleanup of cleanups) await cleanup().catch((error) => log(`cleanup failed: ${error}`));
  }
}

function writeOutput(options: BenchOptions, info: RunInfo, figures: Figure[]): BenchOutput {
  mkdirSync(options.outDir, { recursive: true });
  const name = `${info.date.slice(0, 10)}-${options.mode}`;
  const markdownPath = join(options.outDir, `${name}.md`);
  const svgPath = join(options.outDir, `${name}.svg`);
  const jsonPath = join(options.outDir, `${name}.json`);
  writeFileSync(svgPath, renderChart(figures, `Outpost against an SSH reverse tunnel and a direct connection — ${info.date} (${info.mode})`));
  writeFileSync(markdownPath, renderReport(info, figures, `${name}.svg`));
  writeFileSync(jsonPath, JSON.stringify({ info, figures }, null, 2) + "\n");
  if (options.mode === "full") writeReadme(options.outDir, name, info);
  return { markdownPath, svgPath, jsonPath, figures, info };
}

if (import.meta.main) {
  // Bun's fetch keeps at most 256 connections by default; the concurrency measurement needs
  // every request really in flight, and the setting is read once at start-up.
  if (!process.env[MAX_HTTP]) {
    const child = Bun.spawn([process.execPath, import.meta.path, ...process.argv.slice(2)], {
      env: { ...process.env, [MAX_HTTP]: "65535" }, stdio: ["inherit", "inherit", "inherit"],
    });
    process.exit(await child.exited);
  }
  const options = parseOptions(process.argv.slice(2), join(REPO, "docs/benchmarks"));
  const output = await runBench(options);
  console.log(`\nwrote ${output.markdownPath}\n      ${output.svgPath}`);
  process.exit(0);
}
