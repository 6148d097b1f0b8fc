/**
 * @module
 * `bun test/bench/profile.ts <small|bulk|download|upload> [seconds]`: the same cluster as the
 * benchmark but run from source under Bun's CPU profiler (`--cpu-prof-md`), one load for a
 * while, then SIGTERM so the gateway and the agent write their profiles to
 * `/tmp/outpost-profiles/`. How the findings in docs/benchmarks were made.
 */
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { cpuMs, now } from "./measure.ts";
import { startCluster } from "./outpost-cluster.ts";
import { outpostClient, outpostPath } from "./paths.ts";
import { startData } from "./servers.ts";

const kind = process.argv[2] ?? "small";
const seconds = Number(process.argv[3] ?? 10);
const dir = "/tmp/outpost-profiles";
mkdirSync(dir, { recursive: true });
const main = resolve(import.meta.dir, "../../src/cli/main.ts");

const data = await startData(kind === "bulk" ? 300_000 : 1000, kind === "small" || kind === "bulk" ? 1024 * 1024 : 256 * 2 ** 20);
const cluster = await startCluster({ data, queueSize: 256, command: process.env.PROFILE === "0" ? undefined : ["bun", "--cpu-prof-md", `--cpu-prof-dir=${dir}`, main] });
const client = outpostClient(cluster.url, cluster.token, cluster.caPem);
const path = outpostPath(client, "one");
const files = client.group("one").files("share");
const pids = { gateway: cluster.gateway.pid, agent: cluster.agents.get("solo")!.proc.pid };
const cpuBefore = { gateway: cpuMs(pids.gateway), agent: cpuMs(pids.agent) };
const deadline = now() + seconds * 1000;
let done = 0;
const worker = async () => {
  while (now() < deadline) {
    if (kind === "small") await path.query(done);
    else if (kind === "bulk") await path.streamBulk();
    else if (kind === "download") for await (const _ of await files.read("big.bin"));
    else await files.write("up.bin", Bun.file(join(data.filesDir, "big.bin")).stream());
    done++;
  }
};
await Promise.all(Array.from({ length: kind === "small" ? 16 : 1 }, worker));
console.log(`${kind}: ${done} calls in ${seconds} s`);
for (const name of ["gateway", "agent"] as const) {
  console.log(`${name}: ${((cpuMs(pids[name]) - cpuBefore[name]) / done).toFixed(3)} ms CPU per call`);
}
for (const proc of [cluster.agents.get("solo")!.proc, cluster.gateway]) proc.kill("SIGTERM");
await Promise.all([cluster.agents.get("solo")!.proc.exited, cluster.gateway.exited]);
await cluster.stop();
await data.stop();
console.log(`profiles in ${dir}`);
