/**
 * The walk of docs/operations.md ("Troubleshooting a failed request") with the compiled
 * binary: a caller's failed query gives a request id; grepping the gateway's log (its
 * stderr, JSON) for it finds the access line, which names the agent; grepping that agent's
 * log file for the same id finds its line with the cause.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { BINARY, ensureBinary, runBinary } from "../support/binary.ts";
import { createTestCa, type TestCa } from "../support/certs.ts";
import { freePort } from "../support/ports.ts";
import { waitFor } from "../support/stack.ts";

let work: string;
let ca: TestCa;
let port: number;
let token: string;
const running: Subprocess[] = [];
const dataDir = () => join(work, "gateway-data");
const gatewayLog = () => join(work, "gateway.log");
const agentLog = () => join(work, "db01", "logs", "outpost.log");

async function cli(args: string[]): Promise<string> {
  const run = await runBinary(args, { cwd: work });
  if (run.code !== 0) throw new Error(`outpost ${args.join(" ")} failed: ${run.stderr}`);
  return run.stdout;
}

/** The JSON lines of a log file that mention `requestId` (what `grep` would find). */
function grep(path: string, requestId: string): Record<string, unknown>[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, "utf8").split("\n").filter((line) => line.includes(requestId)).map((line) => JSON.parse(line) as Record<string, unknown>);
}

beforeAll(async () => {
  await ensureBinary();
  work = mkdtempSync(join(tmpdir(), "outpost-trace-"));
  ca = createTestCa();
  const cert = ca.issue("gateway");
  port = await freePort();
  // gateway serve makes the store; the admin commands then work on it with --data-dir.
  running.push(Bun.spawn([BINARY, "gateway", "serve", "--data-dir", dataDir(), "--port", String(port), "--tls-cert", cert.certPath, "--tls-key", cert.keyPath, "--log-format", "json"], {
    cwd: work, stdin: "ignore", stdout: "ignore", stderr: Bun.file(gatewayLog()),
  }));
  await waitFor(async () => (await fetch(`https://localhost:${port}/healthz`, { tls: { ca: ca.certPem } }).catch(() => undefined))?.ok === true, "the gateway to listen");
  await cli(["gateway", "group", "create", "sales", "--data-dir", dataDir()]);
  token = (JSON.parse(await cli(["gateway", "token", "create", "--name", "order-sync", "--group", "sales", "--data-dir", dataDir(), "--json"])) as { secret: string }).secret;

  const dir = join(work, "db01");
  mkdirSync(dir, { recursive: true });
  const config = join(dir, "config.yml");
  writeFileSync(config, "databases:\n  main:\n    adapter: sqlite\n    path: main.db\nlogging:\n  format: json\n  file:\n    path: logs/outpost.log\n");
  const added = JSON.parse(await cli(["gateway", "agent", "add", "sales", "--name", "db01", "--data-dir", dataDir(), "--json"])) as { activationCode: string };
  await cli(["activate", added.activationCode, "--gateway", `wss://localhost:${port}`, "--ca", ca.certPath, "--config", config]);
  running.push(Bun.spawn([BINARY, "run", "--config", config], { cwd: work, stdin: "ignore", stdout: "ignore", stderr: "ignore" }));
  await waitFor(async () => {
    const response = await fetch(`https://localhost:${port}/v1/groups/sales/agents`, { headers: { authorization: `Bearer ${token}` }, tls: { ca: ca.certPem } });
    const { agents } = (await response.json()) as { agents: { status: string }[] };
    return agents.some((agent) => agent.status === "active");
  }, "db01 to connect");
}, 300_000);

afterAll(() => {
  for (const proc of running) proc.kill();
});

test("from the caller's request id to the gateway's access line, to the agent's line with the cause", async () => {
  // 1. The caller's failed request and its id.
  const response = await fetch(`https://localhost:${port}/v1/groups/sales/db/main/query`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}` },
    body: JSON.stringify({ sql: "select * from orderz" }),
    tls: { ca: ca.certPem },
  });
  expect(response.status).toBe(400);
  const body = (await response.json()) as { error: { requestId: string; code: string } };
  const requestId = response.headers.get("x-request-id")!;
  expect(body.error.requestId).toBe(requestId);

  // 2. The gateway's access line names the agent.
  await waitFor(() => grep(gatewayLog(), requestId).some((line) => line.component === "access"), "the access line");
  const access = grep(gatewayLog(), requestId).find((line) => line.component === "access")!;
  expect(access).toMatchObject({ msg: "request", op: "db.query", group: "sales", profile: "main", caller: "order-sync", status: 400, code: "QUERY_FAILED", agent: "db01" });
  expect(response.headers.get("x-outpost-agent")).toBe(access.agent as string);

  // 3 and 4. That agent's log has the same id, with the database's message.
  await waitFor(() => grep(agentLog(), requestId).length > 0, "the agent's line");
  const agentLine = grep(agentLog(), requestId).find((line) => line.msg === "request failed")!;
  expect(agentLine).toMatchObject({ level: "warn", op: "db.query", profile: "main", code: "QUERY_FAILED" });
  expect(agentLine.message).toContain("orderz");
  // No line anywhere carries the caller's token.
  expect(readFileSync(gatewayLog(), "utf8")).not.toContain(token);
}, 60_000);
