/**
 * @module
 * A real Outpost stack inside the test process: a TLS gateway on a loopback port with its
 * SQLite store in a temp folder, a group, API tokens, and agents activated through the
 * real `/v1/activate` call and connected over the real TLS WebSocket. Agents run
 * in-process here; end-to-end tests of the compiled binary live in test/e2e.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { activateAgent } from "../../src/agent/activate.ts";
import { startAgent, type RunningAgent } from "../../src/agent/agent.ts";
import { loadConfig } from "../../src/config/load.ts";
import { AdminService } from "../../src/gateway/admin/admin-service.ts";
import { startGateway, type RunningGateway } from "../../src/gateway/server.ts";
import { openGatewayStore } from "../../src/gateway/store/open-gateway-store.ts";
import type { GatewayStore } from "../../src/gateway/store/store.ts";
import { createLogger, type Logger } from "../../src/log/logger.ts";
import { createTestCa, type TestCa } from "./certs.ts";

export interface StackOptions {
  group?: string;
  /** YAML of the profile sections every agent gets (databases:, files:, ...). `{dir}` is the agent's folder. */
  profiles?: (dir: string) => string;
  /** Extra YAML for each agent's config (agent:, logging:, ...). */
  extraConfig?: string;
  log?: Logger;
  port?: number;
  dataDir?: string;
  /** Invoke deadlines of the gateway (see GatewayOptions.timeouts). */
  timeouts?: { defaultTimeoutMs?: number; maxTimeoutMs?: number };
}

export interface TestAgentHandle {
  name: string;
  dir: string;
  configPath: string;
  running: RunningAgent;
}

export interface Stack {
  ca: TestCa;
  store: GatewayStore;
  gateway: RunningGateway;
  admin: AdminService;
  group: string;
  /** A token scoped to the stack's group. */
  token: string;
  adminToken: string;
  dir: string;
  agents: TestAgentHandle[];
  /** Adds, activates and starts an agent; resolves once the gateway sees it connected. */
  addAgent(name: string): Promise<TestAgentHandle>;
  /** Calls the gateway API with the group token. */
  call(path: string, init?: RequestInit & { token?: string }): Promise<Response>;
  restartGateway(): Promise<void>;
  stop(): Promise<void>;
}

export const quietLog = createLogger("test", { level: "error", sinks: [] });

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const dir = mkdtempSync(join(tmpdir(), "outpost-stack-"));
  const ca = createTestCa();
  const cert = ca.issue("gateway");
  const log = options.log ?? quietLog;
  const dataDir = options.dataDir ?? join(dir, "gateway-data");
  const store = await openGatewayStore(dataDir);
  const tls = { cert: cert.certPem, key: cert.keyPem };
  let gateway = startGateway({ store, log, port: options.port ?? 0, tls, hostname: "127.0.0.1", timeouts: options.timeouts });
  const publicUrl = () => `wss://localhost:${gateway.port}`;
  const admin = new AdminService({ store });
  const group = options.group ?? "sales";
  await admin.createGroup(group);
  const token = (await admin.createToken({ name: "caller", groups: [group] })).secret;
  const adminToken = (await admin.createToken({ name: "root", admin: true })).secret;
  const agents: TestAgentHandle[] = [];

  const stack: Stack = {
    ca, store, admin, group, token, adminToken, dir, agents,
    get gateway() {
      return gateway;
    },
    async addAgent(name) {
      const agentDir = join(dir, name);
      mkdirSync(agentDir, { recursive: true });
      const configPath = join(agentDir, "config.yml");
      writeFileSync(configPath, `${options.profiles?.(agentDir) ?? ""}\n${options.extraConfig ?? ""}\n`);
      const { activationCode } = await admin.addAgent(group, name, publicUrl());
      await activateAgent({
        code: activationCode,
        gatewayUrl: publicUrl(),
        configPath,
        identityPath: join(agentDir, "identity.json"),
        ca: ca.certPem,
        caPath: ca.certPath,
        version: "0.0.0-test",
      });
      const loaded = await loadConfig(configPath);
      const running = await startAgent({ loaded, version: "0.0.0-test", log: log.child("agent").with({ agentName: name }) });
      const handle = { name, dir: agentDir, configPath, running };
      agents.push(handle);
      await waitFor(() => gateway.registry.all().some((a) => a.agentName === name), `agent ${name} to connect`);
      return handle;
    },
    call(path, init = {}) {
      const headers = new Headers(init.headers);
      if (!headers.has("authorization")) headers.set("authorization", `Bearer ${init.token ?? token}`);
      return fetch(`https://localhost:${gateway.port}${path}`, { ...init, headers, tls: { ca: ca.certPem } });
    },
    async restartGateway() {
      const port = gateway.port;
      await gateway.stop({ graceMs: 2000 });
      gateway = startGateway({ store, log, port, tls, hostname: "127.0.0.1", timeouts: options.timeouts });
    },
    async stop() {
      await Promise.all(agents.map((agent) => agent.running.shutdown()));
      await gateway.stop({ graceMs: 100 });
      await store.close();
    },
  };
  return stack;
}

/** Polls `check` every 20 ms until it is true; fails after `timeoutMs` naming what it waited for. */
export async function waitFor(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(20);
  }
}
