/**
 * The router's poison guard and deadline rule with a real in-process gateway and two agents
 * run as their own processes (from source), so one can freeze its event loop without
 * freezing the gateway. A test extension busy-loops on `/spin`, sleeps on `/slow`, and
 * notes every path it is asked for in a file of its agent, so the test sees which agent
 * was sent what.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Subprocess } from "bun";
import { activateAgent } from "../../src/agent/activate.ts";
import { startStack, waitFor, type Stack } from "../support/stack.ts";

const MAIN = resolve(import.meta.dir, "../../src/cli/main.ts");
const EXTENSION = `
import { appendFileSync } from "node:fs";
export default {
  name: "spin",
  async fetch(request, { config }) {
    const path = new URL(request.url).pathname;
    appendFileSync(config.marks, path + "\\n");
    if (path === "/spin") { const until = Date.now() + 8000; while (Date.now() < until) {} }
    if (path === "/slow") await Bun.sleep(3000);
    return new Response("done " + path);
  },
};`;

interface AgentProcess {
  name: string;
  dir: string;
  proc: Subprocess;
}

let stack: Stack;
const agents = new Map<string, AgentProcess>();

async function startProcessAgent(name: string): Promise<void> {
  const dir = join(stack.dir, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "spin.ts"), EXTENSION);
  const configPath = join(dir, "config.yml");
  writeFileSync(configPath, `extensions:\n  spin:\n    module: ${join(dir, "spin.ts")}\n    config:\n      marks: ${join(dir, "marks.txt")}\n`);
  const publicUrl = `wss://localhost:${stack.gateway.port}`;
  const { activationCode } = await stack.admin.addAgent(stack.group, name, publicUrl);
  await activateAgent({
    code: activationCode, gatewayUrl: publicUrl, configPath, identityPath: join(dir, "identity.json"),
    ca: stack.ca.certPem, caPath: stack.ca.certPath, version: "0.0.0-test",
  });
  const env: Record<string, string | undefined> = { ...process.env };
  delete env.OUTPOST_CONFIG;
  const proc = Bun.spawn(["bun", MAIN, "run", "--config", configPath], { stdin: "ignore", stdout: "ignore", stderr: "ignore", env });
  agents.set(name, { name, dir, proc });
  await connected(name);
}

const connected = (name: string) =>
  waitFor(() => stack.gateway.registry.all().some((agent) => agent.agentName === name && !agent.session.closed), `agent ${name} to connect`, 30_000);

function marks(name: string): string[] {
  const file = join(agents.get(name)!.dir, "marks.txt");
  return existsSync(file) ? readFileSync(file, "utf8").split("\n").filter(Boolean) : [];
}

const call = (path: string) => stack.call(`/v1/groups/sales/ext/spin${path}`);

beforeAll(async () => {
  stack = await startStack();
  await startProcessAgent("alpha");
  await startProcessAgent("beta");
}, 60_000);

afterAll(async () => {
  for (const agent of agents.values()) agent.proc.kill("SIGKILL");
  await stack?.stop();
});

describe("poison guard", () => {
  test("a request whose agent froze is not sent to the other agent, and a resend is refused", async () => {
    const response = await call("/spin");
    expect(response.status).toBe(502);
    expect(((await response.json()) as { error: unknown }).error).toMatchObject({ code: "AGENT_UNRESPONSIVE", retryable: false });
    const sentTo = [...agents.keys()].filter((name) => marks(name).includes("/spin"));
    expect(sentTo).toHaveLength(1);
    const other = [...agents.keys()].find((name) => name !== sentTo[0])!;

    // The other agent stayed up and serves; the same request again is refused, not sent to it.
    const ok = await call("/ok");
    expect(ok.status).toBe(200);
    expect(ok.headers.get("x-outpost-agent")).toBe(other);
    const again = await call("/spin");
    expect(again.status).toBe(422);
    expect(((await again.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code: "QUARANTINED", retryable: false });
    expect(marks(other)).not.toContain("/spin");
    expect(stack.gateway.registry.all().some((agent) => agent.agentName === other && !agent.session.closed)).toBe(true);
    await connected(sentTo[0]!); // the frozen one thaws and comes back by itself
  }, 60_000);

  test("a request whose agent process was killed (its socket closed) is still retried on the other agent", async () => {
    const answer = call("/slow");
    await waitFor(() => [...agents.keys()].some((name) => marks(name).includes("/slow")), "the slow request to start");
    const victim = [...agents.keys()].find((name) => marks(name).includes("/slow"))!;
    agents.get(victim)!.proc.kill("SIGKILL");
    const response = await answer;
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("done /slow");
    expect(response.headers.get("x-outpost-agent")).not.toBe(victim);
  }, 60_000);
});
