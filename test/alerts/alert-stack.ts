/**
 * @module
 * A gateway with short alert timings, a real webhook receiver (`Bun.serve`) that records
 * every POST, and two kinds of agents: processes (`bun src/cli/main.ts run`, so a SIGKILL
 * is a real crash) and in-process agents with a chosen version and profile settings.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { activateAgent } from "../../src/agent/activate.ts";
import { startAgent, type RunningAgent } from "../../src/agent/agent.ts";
import { loadConfig } from "../../src/config/load.ts";
import { AdminService } from "../../src/gateway/admin/admin-service.ts";
import { startGateway, type GatewayOptions, type RunningGateway } from "../../src/gateway/server.ts";
import { openGatewayStore } from "../../src/gateway/store/open-gateway-store.ts";
import type { GatewayStore } from "../../src/gateway/store/store.ts";
import { REPO } from "../support/binary.ts";
import { createTestCa, type TestCa } from "../support/certs.ts";
import { quietLog, waitFor } from "../support/stack.ts";

export interface ReceivedAlert {
  path: string;
  body: { event?: string; group?: string; agents?: { name: string }[]; text?: string; summary?: string };
}

export interface AlertStack {
  ca: TestCa;
  store: GatewayStore;
  /** The gateway's store folder, for the CLI's `--data-dir`. */
  dataDir: string;
  gateway: RunningGateway;
  admin: AdminService;
  adminToken: string;
  received: ReceivedAlert[];
  /** The receiver's base URL, e.g. `http://127.0.0.1:1234`. */
  receiverUrl: string;
  /** Adds and activates an agent, runs it as a process and waits until it is connected. */
  spawnAgent(name: string): Promise<Subprocess>;
  /** Runs an already activated agent again. */
  respawn(name: string): Promise<Subprocess>;
  /** An in-process agent reporting `version`, with `profilesYaml` as its profile sections. */
  startAgent(name: string, version: string, profilesYaml: string): Promise<RunningAgent>;
  connected(): string[];
  call(path: string, init?: RequestInit): Promise<Response>;
  stop(): Promise<void>;
}

export async function startAlertStack(options: {
  group: string;
  alerts: GatewayOptions["alerts"];
  answer?: (path: string, count: number) => number;
  lastSeenIntervalMs?: number;
}): Promise<AlertStack> {
  const dir = mkdtempSync(join(tmpdir(), "outpost-alerts-"));
  const ca = createTestCa();
  const cert = ca.issue("gateway");
  const dataDir = join(dir, "gateway-data");
  const store = await openGatewayStore(dataDir);
  const gateway = startGateway({
    store, log: quietLog, port: 0, hostname: "127.0.0.1", tls: { cert: cert.certPem, key: cert.keyPem }, alerts: options.alerts, lastSeenIntervalMs: options.lastSeenIntervalMs,
  });
  const publicUrl = `wss://localhost:${gateway.port}`;
  const admin = new AdminService({ store });
  await admin.createGroup(options.group);
  const adminToken = (await admin.createToken({ name: "root", admin: true })).secret;
  const received: ReceivedAlert[] = [];
  const counts = new Map<string, number>();
  const receiver = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: async (request) => {
      const path = new URL(request.url).pathname;
      const count = (counts.get(path) ?? 0) + 1;
      counts.set(path, count);
      const status = options.answer?.(path, count) ?? 200;
      const body = (await request.json()) as ReceivedAlert["body"];
      if (status === 200) received.push({ path, body });
      return new Response(status === 200 ? "ok" : "try later", { status });
    },
  });
  const processes = new Map<string, Subprocess>();
  const inProcess: RunningAgent[] = [];
  const connected = () => gateway.registry.all().map((agent) => agent.agentName).sort();
  const configOf = (name: string) => join(dir, name, "config.yml");

  async function run(name: string): Promise<Subprocess> {
    const proc = Bun.spawn(["bun", join(REPO, "src/cli/main.ts"), "run", "--config", configOf(name)], { cwd: dir, stdin: "ignore", stdout: "ignore", stderr: "ignore" });
    processes.set(name, proc);
    await waitFor(() => connected().includes(name), `agent ${name} to connect`);
    return proc;
  }

  async function activate(name: string, version: string, yaml: string) {
    mkdirSync(join(dir, name), { recursive: true });
    writeFileSync(configOf(name), yaml);
    const { activationCode } = await admin.addAgent(options.group, name, publicUrl);
    await activateAgent({ code: activationCode, gatewayUrl: publicUrl, configPath: configOf(name), identityPath: join(dir, name, "identity.json"), ca: ca.certPem, caPath: ca.certPath, version });
  }

  return {
    ca, store, dataDir, gateway, admin, adminToken, received, connected,
    receiverUrl: `http://127.0.0.1:${receiver.port}`,
    async spawnAgent(name) {
      await activate(name, "0.0.0-test", `databases:\n  main:\n    adapter: sqlite\n    path: ${join(dir, "main.db")}\n`);
      return run(name);
    },
    respawn: run,
    async startAgent(name, version, profilesYaml) {
      await activate(name, version, profilesYaml);
      const running = await startAgent({ loaded: await loadConfig(configOf(name)), version, log: quietLog });
      inProcess.push(running);
      await waitFor(() => connected().includes(name), `agent ${name} to connect`);
      return running;
    },
    call(path, init = {}) {
      const headers = new Headers(init.headers);
      headers.set("authorization", `Bearer ${adminToken}`);
      return fetch(`https://localhost:${gateway.port}${path}`, { ...init, headers, tls: { ca: ca.certPem } });
    },
    async stop() {
      for (const proc of processes.values()) proc.kill("SIGKILL");
      await Promise.all(inProcess.map((agent) => agent.shutdown()));
      await gateway.stop({ graceMs: 100 });
      await receiver.stop(true);
      await store.close();
    },
  };
}
