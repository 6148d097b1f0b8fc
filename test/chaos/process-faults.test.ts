/**
 * Process faults with the compiled binary: a group of two agents on a real PostgreSQL.
 * An agent is SIGKILLed in the middle of queries, writes, a download and an upload; the
 * gateway is restarted (graceful and SIGKILL) under load; PostgreSQL is restarted under
 * load; an upload fills the agent's disk (a 1 MiB tmpfs when `mount` is allowed, else a
 * read-only folder). The promises: idempotent requests are not lost while an agent is
 * healthy, writes never run twice, failures are clear and honestly retryable, no partial
 * file is left at the destination, nobody needs a manual restart.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { startPostgres, type TestPostgres } from "../support/postgres.ts";
import { waitFor } from "../support/stack.ts";
import { startCompiledStack, type CompiledStack } from "./support/compiled-stack.ts";
import { metric, randomBytes, sha256 } from "./support/measure.ts";
import { mountTinyDisk, type TinyDisk } from "./support/tiny-disk.ts";

let stack: CompiledStack;
let pg: TestPostgres;
const disks: TinyDisk[] = [];
const big = randomBytes(16 * 1024 * 1024);

beforeAll(async () => {
  [stack, pg] = await Promise.all([startCompiledStack(), startPostgres()]);
  const profiles = [
    "databases:",
    "  pg:",
    "    adapter: postgresql",
    `    host: 127.0.0.1\n    port: ${pg.port}\n    database: ${pg.database}\n    username: ${pg.user}\n    password: '${pg.password}'`,
    "    connect_timeout: 3",
    "files:",
    "  share:\n    base: '{dir}/share'",
    "  tiny:\n    base: '{dir}/tiny'",
  ].join("\n");
  for (const name of ["alpha", "beta"]) {
    await stack.addAgent(name, {
      profiles,
      extra: "agent:\n  shutdown_grace: 5\n",
      prepare: (dir) => {
        mkdirSync(join(dir, "share", "inbox"), { recursive: true });
        Bun.write(join(dir, "share", "big.bin"), big);
        disks.push(mountTinyDisk(join(dir, "tiny")));
      },
    });
  }
  await execute("create table runs (tag text not null)");
}, 180_000);

afterAll(async () => {
  await stack?.stop();
  await pg?.stop();
  for (const disk of disks) disk.release();
});

async function execute(sql: string, params: unknown[] = []): Promise<{ status: number; body: any }> {
  const response = await stack.call("/v1/groups/sales/db/pg/execute", { method: "POST", body: JSON.stringify({ sql, params }) });
  return { status: response.status, body: await response.json() };
}

async function query(sql: string, params: unknown[] = []): Promise<{ status: number; agent: string | null; body: any }> {
  const response = await stack.call("/v1/groups/sales/db/pg/query", { method: "POST", body: JSON.stringify({ sql, params }) });
  return { status: response.status, agent: response.headers.get("x-outpost-agent"), body: await response.json() };
}

/** Restarts a killed agent and waits for the group to be whole again. */
async function revive(name: string): Promise<void> {
  stack.restartAgent(name);
  await waitFor(async () => (await stack.activeAgents()).length === 2, `${name} to come back`, 30_000);
}

describe("process faults (compiled binaries, real PostgreSQL)", () => {
  test("SIGKILL of an agent mid-query: every query succeeds, retried on the survivor; no write runs twice", async () => {
    const reads = Array.from({ length: 12 }, (_, i) => query("select $1::int as n from pg_sleep(1.5)", [i]));
    const writes = Array.from({ length: 12 }, (_, i) => execute("insert into runs (tag) select $1 from pg_sleep(1.5)", [`kill-${i}`]));
    await Bun.sleep(500);
    stack.agents.get("beta")!.proc.kill("SIGKILL");
    const readResults = await Promise.all(reads);
    const writeResults = await Promise.all(writes);
    expect(readResults.map((r) => r.status)).toEqual(Array(12).fill(200));
    expect(readResults.map((r) => r.body.rows[0].n)).toEqual(Array.from({ length: 12 }, (_, i) => i));
    await Bun.sleep(2000); // statements on PostgreSQL whose client died finish or abort now
    const counts = await query("select tag, count(*)::int as n from runs where tag like 'kill-%' group by tag");
    const ran = new Map<string, number>(counts.body.rows.map((row: { tag: string; n: number }) => [row.tag, row.n]));
    for (const [i, result] of writeResults.entries()) {
      expect(ran.get(`kill-${i}`) ?? 0).toBeLessThanOrEqual(1);
      if (result.status === 200) expect(ran.get(`kill-${i}`)).toBe(1);
      // Sent, then the agent died: it may or may not have run, and the answer says so.
      else expect(result.body.error).toMatchObject({ code: "OUTCOME_UNKNOWN", retryable: false });
    }
    metric("sigkill-mid-query", {
      readsOk: readResults.filter((r) => r.status === 200).length,
      readsServedByAlpha: readResults.filter((r) => r.agent === "alpha").length,
      writesOk: writeResults.filter((r) => r.status === 200).length,
      writesOutcomeUnknown: writeResults.filter((r) => r.status === 502).length,
      writesThatRanDespiteFailing: writeResults.filter((r, i) => r.status !== 200 && ran.get(`kill-${i}`) === 1).length,
    });
    await revive("beta");
  }, 90_000);

  test("SIGKILL of the agent serving a 16 MiB download: the caller sees a failure, never a short success", async () => {
    const response = await stack.call("/v1/groups/sales/files/share/big.bin");
    expect(response.status).toBe(200);
    const serving = response.headers.get("x-outpost-agent")!;
    const reader = response.body!.getReader();
    let received = (await reader.read()).value?.byteLength ?? 0;
    stack.agents.get(serving)!.proc.kill("SIGKILL");
    let failed = false;
    try {
      for (let next = await reader.read(); !next.done; next = await reader.read()) received += next.value.byteLength;
    } catch {
      failed = true;
    }
    metric("sigkill-mid-download", { receivedBytes: received, of: big.byteLength, failed });
    expect(failed).toBe(true);
    expect(received).toBeLessThan(big.byteLength);
    await revive(serving);
  }, 60_000);

  test("SIGKILL of the agent receiving an upload: the upload fails and no file appears at the destination", async () => {
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (sent >= big.byteLength) return controller.close();
        await Bun.sleep(10);
        controller.enqueue(big.subarray(sent, sent + 64 * 1024));
        sent += 64 * 1024;
      },
    });
    const status = stack.call("/v1/groups/sales/files/share/inbox/up.bin", { method: "PUT", body }).then((r) => r.status, () => 0);
    const inbox = (name: string) => join(stack.agents.get(name)!.dir, "share", "inbox");
    let receiver = "";
    await waitFor(() => {
      receiver = ["alpha", "beta"].find((name) => readdirSync(inbox(name)).length > 0) ?? "";
      return receiver !== "";
    }, "the upload's temp file to appear");
    stack.agents.get(receiver)!.proc.kill("SIGKILL");
    const result = await status;
    const left = readdirSync(inbox(receiver));
    metric("sigkill-mid-upload", { status: result, bytesSentBeforeFailure: sent, leftInFolder: left });
    expect(result).not.toBe(201);
    expect(left).not.toContain("up.bin");
    await revive(receiver);
  }, 60_000);

  test("gateway restarts under load (SIGTERM, then SIGKILL): agents come back by themselves, answers are right or clearly failed", async () => {
    for (const signal of ["SIGTERM", "SIGKILL"] as const) {
      const outcomes = new Map<string, number>();
      let stop = false;
      const worker = async () => {
        while (!stop) {
          const outcome = await query("select 1 as one").then((r) => (r.status === 200 && r.body.rows[0].one === 1 ? "ok" : `${r.status}:${r.body.error?.code}:${r.body.error?.retryable}`), () => "connection refused");
          outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
          if (outcome === "connection refused") await Bun.sleep(50);
        }
      };
      const workers = Array.from({ length: 8 }, worker);
      await Bun.sleep(500);
      const since = performance.now();
      await stack.restartGateway(signal);
      const listening = performance.now();
      await waitFor(async () => (await stack.activeAgents()).length === 2, "both agents to come back", 40_000);
      const back = performance.now();
      await Bun.sleep(500);
      stop = true;
      await Promise.all(workers);
      metric(`gateway-restart-${signal}`, {
        listeningAfterMs: Math.round(listening - since),
        agentsBackAfterListeningMs: Math.round(back - listening),
        outcomes: Object.fromEntries(outcomes),
      });
      for (const outcome of outcomes.keys()) expect(["ok", "connection refused", "503:UNAVAILABLE:true", "502:AGENT_UNAVAILABLE:true"]).toContain(outcome);
      expect(outcomes.get("ok")).toBeGreaterThan(0);
    }
  }, 120_000);

  test("PostgreSQL restarts under load: failures are retryable while it is down, then the pools recover without an agent restart", async () => {
    const outcomes = new Map<string, number>();
    // One example message per outcome, so a failure here says what the caller was told.
    const examples = new Map<string, string>();
    let stop = false;
    let lastOk = 0;
    const worker = async () => {
      while (!stop) {
        const r = await query("select 1 as one");
        const outcome = r.status === 200 ? "ok" : `${r.status}:${r.body.error?.code}:${r.body.error?.retryable}`;
        if (r.status === 200) lastOk = performance.now();
        else if (!examples.has(outcome)) examples.set(outcome, String(r.body.error?.message));
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
        if (r.status !== 200) await Bun.sleep(50);
      }
    };
    const workers = Array.from({ length: 8 }, worker);
    await Bun.sleep(500);
    await pg.stopServer();
    await Bun.sleep(2000);
    const startedAt = performance.now();
    await pg.startServer();
    await waitFor(() => lastOk > startedAt, "queries to succeed again", 30_000);
    const recoveredMs = Math.round(lastOk - startedAt);
    await Bun.sleep(1000);
    stop = true;
    await Promise.all(workers);
    metric("postgres-restart", { recoveredAfterStartMs: recoveredMs, outcomes: Object.fromEntries(outcomes), examples: Object.fromEntries(examples) });
    const notRetryable = [...examples].filter(([outcome]) => !outcome.endsWith(":true"));
    expect(notRetryable).toEqual([]);
    // The pools heal by themselves: rounds of 20 concurrent queries until one succeeds whole.
    // A new connection can still fail in the seconds after a restart on a loaded machine
    // (seen once in CI: CONNECT_TIMEOUT); such failures must stay retryable.
    const lateFailures: unknown[] = [];
    await waitFor(async () => {
      const round = await Promise.all(Array.from({ length: 20 }, () => query("select 1 as one")));
      const failed = round.filter((r) => r.status !== 200);
      lateFailures.push(...failed.map((r) => r.body));
      return failed.length === 0;
    }, "a whole round of 20 queries to succeed", 30_000);
    if (lateFailures.length > 0) metric("postgres-restart-late-failures", { lateFailures });
    expect(lateFailures.filter((body: any) => body.error?.retryable !== true)).toEqual([]);
  }, 90_000);

  test("disk full on the agent during an upload: a clear error, no file left behind, and the disk usable afterwards", async () => {
    const disk = disks[0]!;
    const response = await stack.call("/v1/groups/sales/files/tiny/big.bin", { method: "PUT", body: big.subarray(0, 4 * 1024 * 1024) });
    const body = (await response.json()) as { error?: { code: string; retryable: boolean } };
    const leftovers = ["alpha", "beta"].flatMap((name) => readdirSync(join(stack.agents.get(name)!.dir, "tiny")));
    metric("disk-full-upload", { method: disk.method, status: response.status, error: body.error, leftovers });
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(body.error?.code).toBe(disk.method === "tmpfs" ? "TOO_LARGE" : "READ_ONLY");
    expect(leftovers).toEqual([]);
    if (disk.method === "tmpfs") {
      const small = new TextEncoder().encode("fits");
      const ok = await stack.call("/v1/groups/sales/files/tiny/small.txt", { method: "PUT", body: small });
      expect(ok.status).toBe(201);
      const written = readFileSync(join(stack.agents.get(ok.headers.get("x-outpost-agent")!)!.dir, "tiny", "small.txt"));
      expect(sha256(new Uint8Array(written))).toBe(sha256(small));
    }
  }, 60_000);
});
