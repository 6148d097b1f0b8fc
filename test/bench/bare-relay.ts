/**
 * @module
 * Starts the bare relay of Outpost's own design (issue 13): `bare-relay/front.ts` (Bun.serve
 * HTTPS) and `bare-relay/agent.ts` (one TLS WebSocket, postgres.js pool of 10), each a
 * process of its own so CPU per request can be read for each from `/proc`. What Outpost
 * adds on top of this path — auth, routing, flow control, limits, logging — is its overhead.
 */
import { join } from "node:path";
import type { Subprocess } from "bun";
import { createTestCa } from "../support/certs.ts";
import { freePort } from "../support/ports.ts";
import type { TestPostgres } from "../support/postgres.ts";

export interface BareRelay {
  url: string;
  caPem: string;
  frontPid: number;
  agentPid: number;
  stop(): Promise<void>;
}

export async function startBareRelay(pg: TestPostgres): Promise<BareRelay> {
  const ca = createTestCa("Bare Relay CA");
  const cert = ca.issue("localhost");
  const port = await freePort();
  const front = await spawnUntil([join(import.meta.dir, "bare-relay/front.ts"), String(port), cert.certPath, cert.keyPath], "listening");
  const pgJson = JSON.stringify({ port: pg.port, database: pg.database, user: pg.user, password: pg.password, caPem: pg.caPem });
  const agent = await spawnUntil([join(import.meta.dir, "bare-relay/agent.ts"), `wss://localhost:${port}/agent`, ca.certPath, pgJson], "connected");
  return {
    url: `https://localhost:${port}`,
    caPem: ca.certPem,
    frontPid: front.pid,
    agentPid: agent.pid,
    async stop() {
      for (const proc of [agent, front]) proc.kill("SIGKILL");
      await Promise.all([agent.exited, front.exited]);
    },
  };
}

/** Spawns `bun <args>` and resolves once its stdout says `ready`. */
async function spawnUntil(args: string[], ready: string): Promise<Subprocess<"ignore", "pipe", "inherit">> {
  const proc = Bun.spawn([process.execPath, ...args], { stdin: "ignore", stdout: "pipe", stderr: "inherit" });
  const reader = proc.stdout.getReader();
  let seen = "";
  const timeout = setTimeout(() => proc.kill("SIGKILL"), 20_000);
  try {
    while (!seen.includes(ready)) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`bare relay ${args[0]} exited before "${ready}"`);
      seen += new TextDecoder().decode(value);
    }
  } finally {
    clearTimeout(timeout);
    reader.releaseLock();
  }
  return proc;
}
