/**
 * The compiled binary behind proxies, configured the way most hosts do it: HTTPS_PROXY and
 * NO_PROXY in the environment of `outpost activate` and `outpost run`. A real tinyproxy and
 * a TLS-inspecting proxy; stderr is what an operator reads.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { BINARY, ensureBinary, runBinary } from "../support/binary.ts";
import { startStack, waitFor, type Stack } from "../support/stack.ts";
import { startInspectingProxy, type InspectingProxy } from "./support/inspecting-proxy.ts";
import { PROFILES } from "./support/proxied-agent.ts";
import { startTinyproxy, type Tinyproxy } from "./support/tinyproxy.ts";

let stack: Stack;
let proxy: Tinyproxy;
let corp: InspectingProxy;
const target = () => `localhost:${stack.gateway.port}`;

beforeAll(async () => {
  await ensureBinary();
  stack = await startStack();
  proxy = await startTinyproxy({ username: "agent", password: "pw", connectPorts: [stack.gateway.port] });
  corp = await startInspectingProxy({ upstreamPort: stack.gateway.port, upstreamCa: stack.ca.certPem });
}, 300_000);

afterAll(async () => {
  await corp.stop();
  await proxy.stop();
  await stack.stop();
});

/** Environment with only the proxy variables we choose. */
function proxyEnv(vars: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined && !/proxy|^OUTPOST_/i.test(key)) env[key] = value;
  return { ...env, ...vars };
}

/** Activates a new agent directly and returns its config path. */
async function activated(name: string, env: Record<string, string> = proxyEnv({})): Promise<string> {
  const dir = join(stack.dir, name);
  mkdirSync(dir, { recursive: true });
  const config = join(dir, "config.yml");
  writeFileSync(config, PROFILES);
  const { activationCode } = await stack.admin.addAgent(stack.group, name, `wss://${target()}`);
  const run = await runBinary(["activate", activationCode, "--gateway", `wss://${target()}`, "--ca", stack.ca.certPath, "--config", config], { env });
  if (run.code !== 0) throw new Error(`activate failed: ${run.stderr}`);
  return config;
}

/** Runs `outpost run` and collects its JSON log lines from stderr. */
function runAgent(config: string, env: Record<string, string>) {
  const proc: Subprocess<"ignore", "ignore", "pipe"> = Bun.spawn([BINARY, "run", "--config", config], { env, stdin: "ignore", stdout: "ignore", stderr: "pipe" });
  const lines: { level: string; msg: string }[] = [];
  void (async () => {
    let rest = "";
    for await (const chunk of proc.stderr) {
      rest += new TextDecoder().decode(chunk);
      const parts = rest.split("\n");
      rest = parts.pop()!;
      for (const part of parts) if (part.trim()) lines.push(JSON.parse(part));
    }
  })();
  return { proc, lines };
}

const query = () => stack.call(`/v1/groups/${stack.group}/db/main/query`, { method: "POST", body: JSON.stringify({ sql: "select 42 as answer" }) });
const connected = (name: string) => stack.gateway.registry.all().some((agent) => agent.agentName === name);

describe("the compiled agent with HTTPS_PROXY", () => {
  test("activate and run go through the proxy from the environment", async () => {
    const env = proxyEnv({ HTTPS_PROXY: proxy.url() });
    const before = proxy.connects(target());
    const config = await activated("env-proxy", env);
    expect(proxy.connects(target())).toBe(before + 1);
    const agent = runAgent(config, env);
    try {
      await waitFor(() => connected("env-proxy"), "the agent to connect");
      expect(proxy.connects(target())).toBe(before + 2);
      expect((await query()).status).toBe(200);
    } finally {
      agent.proc.kill("SIGTERM");
      expect(await agent.proc.exited).toBe(0);
    }
  });

  test("a wrong proxy password: exactly one error line on stderr while it keeps retrying", async () => {
    const config = await activated("env-bad-password");
    const before = proxy.connects(target());
    const agent = runAgent(config, proxyEnv({ HTTPS_PROXY: proxy.url("agent", "wrong") }));
    try {
      await waitFor(() => proxy.connects(target()) - before >= 3, "three attempts");
      expect(agent.lines.filter((line) => line.level === "error").map((line) => line.msg)).toEqual([
        "proxy refused: 401 Unauthorized; check the proxy username and password (config proxy: section or HTTPS_PROXY)",
      ]);
    } finally {
      agent.proc.kill("SIGTERM");
      await agent.proc.exited;
    }
  });

  test("NO_PROXY naming the gateway's host means a direct connection", async () => {
    const config = await activated("env-no-proxy");
    const before = proxy.connects(target());
    const agent = runAgent(config, proxyEnv({ HTTPS_PROXY: proxy.url(), NO_PROXY: "localhost" }));
    try {
      await waitFor(() => connected("env-no-proxy"), "the agent to connect");
      expect(proxy.connects(target())).toBe(before);
    } finally {
      agent.proc.kill("SIGTERM");
      await agent.proc.exited;
    }
  });

  test("behind a TLS-inspecting proxy: one line naming the inspection CA", async () => {
    const config = await activated("env-inspected");
    const before = corp.tunnels;
    const agent = runAgent(config, proxyEnv({ HTTPS_PROXY: corp.url }));
    try {
      await waitFor(() => corp.tunnels - before >= 4, "several attempts");
      const errors = agent.lines.filter((line) => line.level === "error").map((line) => line.msg);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toStartWith("the gateway's certificate was issued by 'CN=Corp Inspection CA', which is not trusted");
    } finally {
      agent.proc.kill("SIGTERM");
      await agent.proc.exited;
    }
  });
});
