/**
 * A rolling upgrade of a group, with real compiled binaries of two versions: a v1 gateway
 * and two v1 agents serve steady load; `outpost gateway group upgrade` asks the gateway to
 * move the group to v2 from a signed release served on loopback. Each agent is drained,
 * upgrades itself, exits with EXIT_UPGRADED, and is restarted by this test (standing in for
 * systemd's Restart=always). No request may fail, and both agents must end on v2.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { OutpostClient } from "../../src/client/index.ts";
import { createTestCa, type TestCa } from "../support/certs.ts";
import { freePort } from "../support/ports.ts";
import { waitFor } from "../support/stack.ts";
import { buildBinary, makeKey, makeRelease, serveStatic, tempDir } from "../upgrade/release-fixture.ts";

const EXIT_UPGRADED = 75;
let work: string;
let v1: string;
let ca: TestCa;
let port: number;
let token: string;
let release: { url: string; stop: () => void };
const processes: Subprocess[] = [];
const agentBinaries: string[] = [];
let stopping = false;

async function cli(binary: string, args: string[]): Promise<string> {
  const proc = Bun.spawn([binary, ...args], { cwd: work, stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  if (code !== 0) throw new Error(`outpost ${args.join(" ")} failed (${code}): ${stderr}`);
  return stdout;
}

/** Runs the agent like a service manager would: restarted whenever it exits with EXIT_UPGRADED. */
function superviseAgent(binary: string, config: string) {
  const start = () => {
    const proc = Bun.spawn([binary, "run", "--config", config], { cwd: work, stdout: "ignore", stderr: "ignore" });
    processes.push(proc);
    void proc.exited.then((code) => {
      if (code === EXIT_UPGRADED && !stopping) start();
    });
  };
  start();
}

/** The caller's view, through the typed client; retries off so every failure counts. */
const client = () => new OutpostClient({ url: `https://localhost:${port}`, token, ca: ca.certPem, retries: 0 });

async function agentVersions(): Promise<Record<string, string | undefined>> {
  const agents = await client().admin.agents.list("sales");
  return Object.fromEntries(agents.filter((a) => a.status === "active").map((a) => [a.name, a.info?.version as string | undefined]));
}

beforeAll(async () => {
  work = tempDir("outpost-rollout-");
  const key = await makeKey(work);
  v1 = await buildBinary(join(work, "v1"), "1.0.0", key.publicKey);
  await makeRelease({ out: join(work, "site"), version: "2.0.0", keyFile: key.file, releaseKeys: key.publicKey });
  release = serveStatic(join(work, "site"));
  ca = createTestCa();
  const cert = ca.issue("gateway");
  port = await freePort();
  const data = join(work, "gateway-data");
  processes.push(Bun.spawn([v1, "gateway", "serve", "--data-dir", data, "--port", String(port), "--tls-cert", cert.certPath, "--tls-key", cert.keyPath], { cwd: work, stdout: "ignore", stderr: "ignore" }));
  await waitFor(async () => (await fetch(`https://localhost:${port}/healthz`, { tls: { ca: ca.certPem } }).catch(() => undefined))?.ok === true, "the gateway");
  // The admin commands never create a store: `gateway serve` makes it, they run beside it.
  await cli(v1, ["gateway", "group", "create", "sales", "--data-dir", data]);
  token = (JSON.parse(await cli(v1, ["gateway", "token", "create", "--name", "ops", "--admin", "--data-dir", data, "--json"])) as { secret: string }).secret;
  for (const name of ["alpha", "beta"]) {
    const dir = join(work, name);
    mkdirSync(dir);
    const binary = join(dir, "outpost");
    copyFileSync(v1, binary);
    agentBinaries.push(binary);
    const config = join(dir, "config.yml");
    writeFileSync(config, "databases:\n  main:\n    adapter: sqlite\n    path: main.db\nagent:\n  shutdown_grace: 10\n");
    const added = JSON.parse(await cli(v1, ["gateway", "agent", "add", "sales", "--name", name, "--data-dir", data, "--json"])) as { activationCode: string };
    await cli(binary, ["activate", added.activationCode, "--gateway", `wss://localhost:${port}`, "--ca", ca.certPath, "--config", config]);
    superviseAgent(binary, config);
  }
  await waitFor(async () => Object.keys(await agentVersions()).length === 2, "both agents");
}, 300_000);

afterAll(() => {
  stopping = true;
  for (const proc of processes) proc.kill("SIGKILL");
  release?.stop();
});

test("a group of two moves from v1 to v2 one agent at a time with zero failed requests", async () => {
  expect(await agentVersions()).toEqual({ alpha: "1.0.0", beta: "1.0.0" });
  const failures: string[] = [];
  let served = 0;
  let stop = false;
  const db = client().group("sales").db("main");
  const worker = async () => {
    while (!stop) {
      try {
        const { rows } = await db.query("select 1 as one");
        if (rows.length === 1) served++;
      } catch (error) {
        failures.push(String(error));
      }
    }
  };
  const workers = Array.from({ length: 6 }, worker);
  const rollout = await cli(v1, ["gateway", "group", "upgrade", "sales", "--version", "2.0.0", "--base-url", release.url, "--wait", "--data-dir", join(work, "gateway-data")]);
  stop = true;
  await Promise.all(workers);
  expect(rollout).toContain("done");
  expect(failures).toEqual([]);
  expect(served).toBeGreaterThan(0);
  await waitFor(async () => JSON.stringify(await agentVersions()) === JSON.stringify({ alpha: "2.0.0", beta: "2.0.0" }), "both agents on 2.0.0", 30_000);
  for (const binary of agentBinaries) expect((await cli(binary, ["--version"])).trim()).toBe("2.0.0");
}, 240_000);
