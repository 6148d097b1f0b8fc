/**
 * @module
 * The compiled binary as customers run it, for chaos tests: `outpost gateway serve` on a
 * loopback port with TLS, agents activated with `outpost activate` and run with
 * `outpost run` as separate processes, and a fault relay in front of the gateway that
 * agents may dial instead (the gateway's public URL is the relay, so what the agent signs
 * matches). Agent logs (JSON lines on stderr) are kept for assertions. Everything the
 * stack starts is killed by `stop()`.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { BINARY, ensureBinary, runBinary } from "../../support/binary.ts";
import { createTestCa, type TestCa } from "../../support/certs.ts";
import { freePort } from "../../support/ports.ts";
import { waitFor } from "../../support/stack.ts";
import { FaultRelay } from "./fault-relay.ts";
import { LogTail } from "./log-tail.ts";

export interface AgentSpec {
  /** YAML of the agent's profile sections; `{dir}` in it is replaced by the agent's folder. */
  profiles: string;
  /** Dial the gateway through the fault relay. Defaults to `false`. */
  viaRelay?: boolean;
  /** Extra YAML (`agent:` limits, `logging:`). */
  extra?: string;
  /** Called with the agent's folder before it starts (make the files base, seed a database). */
  prepare?: (dir: string) => void;
}

export interface AgentProcess {
  readonly name: string;
  readonly dir: string;
  readonly configPath: string;
  proc: Subprocess;
  log: LogTail;
}

export interface CompiledStack {
  readonly work: string;
  readonly ca: TestCa;
  readonly port: number;
  /** Admin token. */
  readonly token: string;
  readonly relay: FaultRelay;
  readonly agents: Map<string, AgentProcess>;
  gateway: Subprocess;
  gatewayLog: LogTail;
  /** Adds, activates and starts an agent of group `sales`; resolves once the gateway reports it active. */
  addAgent(name: string, spec: AgentSpec): Promise<AgentProcess>;
  /** Starts an agent again (after a kill) with its existing config and identity. */
  restartAgent(name: string): AgentProcess;
  /** Calls the gateway API with the admin token (unless `token` is given; `""` sends none). */
  call(path: string, init?: RequestInit & { token?: string }): Promise<Response>;
  /** Names of the agents the gateway reports `active`, sorted. */
  activeAgents(): Promise<string[]>;
  /** SIGTERM (graceful) or SIGKILL the gateway, then start it again on the same port. */
  restartGateway(signal?: "SIGTERM" | "SIGKILL"): Promise<void>;
  stop(): Promise<void>;
}

/** Starts a gateway with group `sales` and an admin token. */
export async function startCompiledStack(): Promise<CompiledStack> {
  await ensureBinary();
  const work = mkdtempSync(join(tmpdir(), "outpost-chaos-"));
  const ca = createTestCa();
  const cert = ca.issue("gateway");
  const port = await freePort();
  const relay = await FaultRelay.start({ targetPort: port });
  const dataDir = join(work, "gateway-data");
  const base = `https://localhost:${port}`;
  const agents = new Map<string, AgentProcess>();

  const cli = async (args: string[]): Promise<string> => {
    const run = await runBinary(args, { cwd: work });
    if (run.code !== 0) throw new Error(`outpost ${args.join(" ")} failed: ${run.stderr}`);
    return run.stdout;
  };
  const env: Record<string, string | undefined> = { ...process.env };
  delete env.OUTPOST_CONFIG;
  const spawn = (args: string[]): Subprocess =>
    Bun.spawn([BINARY, ...args], { cwd: work, stdin: "ignore", stdout: "ignore", stderr: "pipe", env });
  const spawnGateway = () => {
    const proc = spawn(["gateway", "serve", "--data-dir", dataDir, "--port", String(port), "--tls-cert", cert.certPath, "--tls-key", cert.keyPath,
      "--public-url", `wss://localhost:${relay.port}`, "--log-format", "json"]);
    return { proc, log: new LogTail(proc.stderr as ReadableStream<Uint8Array>) };
  };
  const healthy = async () => (await fetch(`${base}/healthz`, { tls: { ca: ca.certPem } }).catch(() => undefined))?.ok === true;

  let started = spawnGateway();
  await waitFor(healthy, "the gateway to listen", 30_000);
  // The admin commands never create a store: `gateway serve` makes it, they run beside it.
  await cli(["gateway", "group", "create", "sales", "--data-dir", dataDir]);
  const token = (JSON.parse(await cli(["gateway", "token", "create", "--name", "root", "--admin", "--data-dir", dataDir, "--json"])) as { secret: string }).secret;

  const stack: CompiledStack = {
    work, ca, port, token, relay, agents,
    gateway: started.proc,
    gatewayLog: started.log,
    async addAgent(name, spec) {
      const dir = join(work, name);
      mkdirSync(dir, { recursive: true });
      const configPath = join(dir, "config.yml");
      spec.prepare?.(dir);
      writeFileSync(configPath, `${spec.profiles.replaceAll("{dir}", dir)}\n${spec.extra ?? ""}\n`);
      const added = JSON.parse(await cli(["gateway", "agent", "add", "sales", "--name", name, "--data-dir", dataDir, "--json"])) as { activationCode: string };
      const dial = spec.viaRelay ? relay.port : port;
      await cli(["activate", added.activationCode, "--gateway", `wss://localhost:${dial}`, "--ca", ca.certPath, "--config", configPath]);
      agents.set(name, { name, dir, configPath, ...spawnAgent(configPath) });
      await waitFor(async () => (await stack.activeAgents()).includes(name), `agent ${name} to connect`, 30_000);
      return agents.get(name)!;
    },
    restartAgent(name) {
      const agent = agents.get(name)!;
      Object.assign(agent, spawnAgent(agent.configPath));
      return agent;
    },
    call(path, init = {}) {
      const headers = new Headers(init.headers);
      const bearer = init.token ?? token;
      if (bearer && !headers.has("authorization")) headers.set("authorization", `Bearer ${bearer}`);
      return fetch(`${base}${path}`, { ...init, headers, tls: { ca: ca.certPem } });
    },
    async activeAgents() {
      const response = await stack.call("/v1/groups/sales/agents").catch(() => undefined);
      if (!response?.ok) return [];
      const body = (await response.json()) as { agents: { name: string; status: string }[] };
      return body.agents.filter((agent) => agent.status === "active").map((agent) => agent.name).sort();
    },
    async restartGateway(signal = "SIGTERM") {
      stack.gateway.kill(signal);
      await stack.gateway.exited;
      started = spawnGateway();
      stack.gateway = started.proc;
      stack.gatewayLog = started.log;
      await waitFor(healthy, "the gateway to listen again", 30_000);
    },
    async stop() {
      for (const agent of agents.values()) agent.proc.kill("SIGKILL");
      stack.gateway.kill("SIGKILL");
      await Promise.all([...agents.values()].map((agent) => agent.proc.exited));
      await stack.gateway.exited;
      await relay.close();
    },
  };

  function spawnAgent(configPath: string) {
    const proc = spawn(["run", "--config", configPath]);
    return { proc, log: new LogTail(proc.stderr as ReadableStream<Uint8Array>) };
  }
  return stack;
}

/** Reads /proc for a process's resident memory (KiB) and open file descriptors. */
export async function processUsage(pid: number): Promise<{ rssKiB: number; fds: number }> {
  const { readFileSync, readdirSync } = await import("node:fs");
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const rssKiB = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return { rssKiB, fds: readdirSync(`/proc/${pid}/fd`).length };
}

/** Least-squares slope of `y` over `x`. */
export function slope(points: readonly { x: number; y: number }[]): number {
  const n = points.length;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  const num = points.reduce((s, p) => s + (p.x - mx) * (p.y - my), 0);
  const den = points.reduce((s, p) => s + (p.x - mx) ** 2, 0);
  return den === 0 ? 0 : num / den;
}
