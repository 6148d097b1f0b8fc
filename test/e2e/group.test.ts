/**
 * The compiled binary as customers run it: a TLS gateway (`outpost gateway serve`), a
 * group of two agents each activated with `outpost activate` and run with `outpost run`,
 * callers on the HTTP API. Then one agent is SIGKILLed under steady load: no idempotent
 * request may fail. The survivor stops on SIGTERM, finishing its work, and exits 0.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { OutpostClient } from "../../src/client/index.ts";
import { BINARY, ensureBinary, runBinary } from "../support/binary.ts";
import { createTestCa, type TestCa } from "../support/certs.ts";
import { freePort } from "../support/ports.ts";
import { waitFor } from "../support/stack.ts";

let work: string;
let ca: TestCa;
let port: number;
let token: string;
let gateway: Subprocess;
const agents = new Map<string, Subprocess>();

const EXTENSION = join(import.meta.dir, "../../docs/examples/hello-extension.ts");
const dataDir = () => join(work, "gateway-data");
const base = () => `https://localhost:${port}`;

async function cli(args: string[]): Promise<string> {
  const run = await runBinary(args, { cwd: work });
  if (run.code !== 0) throw new Error(`outpost ${args.join(" ")} failed: ${run.stderr}`);
  return run.stdout;
}

function spawn(args: string[]): Subprocess {
  return Bun.spawn([BINARY, ...args], { cwd: work, stdin: "ignore", stdout: "ignore", stderr: "pipe" });
}

async function startAgent(name: string): Promise<void> {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  const config = join(dir, "config.yml");
  writeFileSync(
    config,
    `databases:\n  main:\n    adapter: sqlite\n    path: main.db\n` +
      `extensions:\n  hello:\n    module: ${EXTENSION}\n    config: { greeting: Hello }\n` +
      `agent:\n  shutdown_grace: 5\n`,
  );
  const added = JSON.parse(await cli(["gateway", "agent", "add", "sales", "--name", name, "--data-dir", dataDir(), "--json"])) as { activationCode: string };
  await cli(["activate", added.activationCode, "--gateway", `wss://localhost:${port}`, "--ca", ca.certPath, "--config", config]);
  agents.set(name, spawn(["run", "--config", config]));
}

/** The typed client callers use; retries off so the gateway's own failover is what is tested. */
const client = () => new OutpostClient({ url: base(), token, ca: ca.certPem, retries: 0 });

async function connectedAgents(): Promise<string[]> {
  const agents = await client().admin.agents.list("sales");
  return agents.filter((agent) => agent.status === "active").map((agent) => agent.name).sort();
}

function query(): Promise<Response> {
  return fetch(`${base()}/v1/groups/sales/db/main/query`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}` },
    body: JSON.stringify({ sql: "select 42 as answer" }),
    tls: { ca: ca.certPem },
  });
}

beforeAll(async () => {
  await ensureBinary();
  work = mkdtempSync(join(tmpdir(), "outpost-group-"));
  ca = createTestCa();
  const cert = ca.issue("gateway");
  port = await freePort();
  gateway = spawn(["gateway", "serve", "--data-dir", dataDir(), "--port", String(port), "--tls-cert", cert.certPath, "--tls-key", cert.keyPath]);
  await waitFor(async () => (await fetch(`${base()}/healthz`, { tls: { ca: ca.certPem } }).catch(() => undefined))?.ok === true, "the gateway to listen");
  // The admin commands never create a store: `gateway serve` makes it, they run beside it.
  await cli(["gateway", "group", "create", "sales", "--data-dir", dataDir()]);
  token = (JSON.parse(await cli(["gateway", "token", "create", "--name", "app", "--admin", "--data-dir", dataDir(), "--json"])) as { secret: string }).secret;
  await startAgent("alpha");
  await startAgent("beta");
  await waitFor(async () => (await connectedAgents()).length === 2, "both agents to connect");
}, 300_000);

afterAll(async () => {
  for (const proc of [...agents.values(), gateway]) proc?.kill("SIGKILL");
});

describe("a group of two compiled agents", () => {
  test("both agents serve requests", async () => {
    const served = new Set<string>();
    for (let i = 0; i < 40 && served.size < 2; i++) {
      const response = await query();
      expect(response.status).toBe(200);
      served.add(response.headers.get("x-outpost-agent")!);
      await response.arrayBuffer();
    }
    expect([...served].sort()).toEqual(["alpha", "beta"]);
  });

  test("the compiled agent loads and serves an extension module", async () => {
    const response = await client().group("sales").ext("hello").fetch("greet?name=Ada");
    expect(((await response.json()) as { message: string }).message).toBe("Hello, Ada!");
  });

  test("SIGKILL of one agent under steady load fails no idempotent request", async () => {
    const statuses: number[] = [];
    const servedBy = { alpha: 0, beta: 0 } as Record<string, number>;
    let stop = false;
    const worker = async () => {
      while (!stop) {
        const response = await query();
        statuses.push(response.status);
        if (response.ok) {
          servedBy[response.headers.get("x-outpost-agent")!]!++;
          expect(((await response.json()) as { rows: unknown[] }).rows).toEqual([{ answer: 42 }]);
        } else {
          await response.arrayBuffer();
        }
      }
    };
    const workers = Array.from({ length: 8 }, worker);
    await waitFor(() => statuses.length >= 200, "load to build up");
    agents.get("beta")!.kill("SIGKILL");
    const killedAt = statuses.length;
    await waitFor(() => statuses.length >= killedAt + 400, "load to continue after the kill", 30_000);
    stop = true;
    await Promise.all(workers);
    expect(statuses.filter((status) => status !== 200)).toEqual([]);
    expect(servedBy.alpha).toBeGreaterThan(0);
    expect(servedBy.beta).toBeGreaterThan(0);
    await waitFor(async () => (await connectedAgents()).join() === "alpha", "the gateway to notice beta is gone", 10_000);
  }, 60_000);

  test("SIGTERM stops an agent cleanly with exit code 0", async () => {
    const alpha = agents.get("alpha")!;
    alpha.kill("SIGTERM");
    expect(await alpha.exited).toBe(0);
    const response = await query();
    expect(response.status).toBe(503);
  });
});
