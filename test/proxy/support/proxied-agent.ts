/**
 * @module
 * An agent of a test stack that dials through a proxy: activated directly (or through the
 * proxy when asked), then started with `proxy` and a chosen `gateway.ca`, with its log
 * lines captured so tests can count what an operator would see.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { activateAgent } from "../../../src/agent/activate.ts";
import { startAgent, type RunningAgent } from "../../../src/agent/agent.ts";
import { loadConfig } from "../../../src/config/load.ts";
import { createLogger } from "../../../src/log/logger.ts";
import type { Stack } from "../../support/stack.ts";

export interface LogLine {
  level: string;
  msg: string;
  [field: string]: unknown;
}

export interface ProxiedAgent {
  running: RunningAgent;
  lines: LogLine[];
  /** Calls the stack's gateway with a query this agent's SQLite profile answers. */
  query(): Promise<Response>;
}

export interface ProxiedAgentOptions {
  proxy?: string;
  /** PEM bundle for `gateway.ca`. Defaults to the stack's CA. */
  caPem?: string;
  /** Activate through `proxy` too (else directly). */
  activateThroughProxy?: boolean;
}

export const PROFILES = "databases:\n  main:\n    adapter: sqlite\n    path: \":memory:\"\n";

export async function startProxiedAgent(stack: Stack, name: string, options: ProxiedAgentOptions = {}): Promise<ProxiedAgent> {
  const dir = join(stack.dir, name);
  mkdirSync(dir, { recursive: true });
  const configPath = join(dir, "config.yml");
  writeFileSync(configPath, PROFILES);
  const caPem = options.caPem ?? stack.ca.certPem;
  const caPath = join(dir, "gateway-ca.pem");
  writeFileSync(caPath, caPem);
  const gatewayUrl = `wss://localhost:${stack.gateway.port}`;
  const { activationCode } = await stack.admin.addAgent(stack.group, name, gatewayUrl);
  await activateAgent({
    code: activationCode,
    gatewayUrl,
    configPath,
    identityPath: join(dir, "identity.json"),
    ca: options.activateThroughProxy ? caPem : stack.ca.certPem,
    caPath,
    proxy: options.activateThroughProxy ? options.proxy : undefined,
    version: "0.0.0-test",
  });
  const lines: LogLine[] = [];
  const log = createLogger("agent", { level: "info", format: "json", sinks: [{ write: (line) => lines.push(JSON.parse(line) as LogLine) }] });
  const running = await startAgent({ loaded: await loadConfig(configPath), version: "0.0.0-test", log, proxy: options.proxy });
  return {
    running,
    lines,
    query: () => stack.call(`/v1/groups/${stack.group}/db/main/query`, { method: "POST", body: JSON.stringify({ sql: "select 42 as answer" }) }),
  };
}
