/**
 * @module
 * Measurement 2: small queries per second at saturation (a closed loop of N workers), for
 * one agent and for a group of two, and the CPU each small query costs the two processes
 * of Outpost (gateway, agent) and of the bare relay (front, agent): user + system time from
 * `/proc/<pid>/stat` over the saturation run, divided by the queries served. CPU per query
 * is steadier than rates on a shared machine. Direct and SSH use one postgres.js pool of 10
 * connections, the size of one agent's pool.
 */
import type { BenchContext } from "../context.ts";
import { cpuMs, saturate } from "../measure.ts";
import type { Figure } from "../results.ts";

export async function saturationScenario(context: BenchContext): Promise<Figure[]> {
  const { saturationSeconds: seconds, saturationWorkers: workers } = context.options;
  const qps: Record<string, number> = {};
  const cpu = { front: {} as Record<string, number>, agent: {} as Record<string, number> };
  const processes: Record<string, { front: number; agents: number[] }> = {
    outpost: { front: context.gatewayPid, agents: [context.soloPid] },
    pair: { front: context.gatewayPid, agents: context.pairPids },
    relay: { front: context.bareRelay.frontPid, agents: [context.bareRelay.agentPid] },
  };
  const agentsCpu = (pids: number[]) => pids.reduce((sum, pid) => sum + cpuMs(pid), 0);
  for (const path of [context.direct, context.ssh, context.relay, context.outpost, context.outpostPair]) {
    const key = path === context.outpostPair ? "pair" : path.name;
    const pids = processes[key];
    const before = pids && { front: cpuMs(pids.front), agent: agentsCpu(pids.agents) };
    qps[key] = await saturate(seconds, workers, (i) => path.query(i));
    if (pids && before) {
      const queries = qps[key]! * seconds;
      cpu.front[key] = ((cpuMs(pids.front) - before.front) * 1000) / queries;
      cpu.agent[key] = ((agentsCpu(pids.agents) - before.agent) * 1000) / queries;
    }
    context.log(`saturation ${key}: ${qps[key]!.toFixed(0)} q/s`);
  }
  const note = `${workers} callers in a closed loop; direct and SSH use one pool of 10 connections`;
  const cpuNote = "user + system CPU from /proc over the saturation run ÷ queries served";
  return [
    { measurement: 2, label: "queries/s at saturation, one agent", unit: "q/s", better: "higher", values: { direct: qps.direct, ssh: qps.ssh, relay: qps.relay, outpost: qps.outpost }, note },
    { measurement: 2, label: "queries/s at saturation, group of two", unit: "q/s", better: "higher", values: { direct: qps.direct, ssh: qps.ssh, relay: qps.relay, outpost: qps.pair }, note: `${note}; Outpost has two agents (20 connections)` },
    { measurement: 2, label: "CPU per small query: gateway (relay: its front)", unit: "µs", better: "lower", values: { relay: cpu.front.relay, outpost: cpu.front.outpost }, note: cpuNote },
    { measurement: 2, label: "CPU per small query: agent", unit: "µs", better: "lower", values: { relay: cpu.agent.relay, outpost: cpu.agent.outpost }, note: cpuNote },
    { measurement: 2, label: "CPU per small query, group of two: gateway", unit: "µs", better: "lower", values: { outpost: cpu.front.pair }, note: cpuNote },
    { measurement: 2, label: "CPU per small query, group of two: both agents together", unit: "µs", better: "lower", values: { outpost: cpu.agent.pair },
      note: "the same as one agent's means a pair adds no work per query, only a third busy process on the same cores" },
  ];
}
