/**
 * Deadlines hold (issue 12.5), on real MariaDB and PostgreSQL through the gateway with a
 * group of TWO agents: a statement that runs past its `timeoutMs` answers 504 TIMEOUT and
 * is never sent to the other agent — exactly one agent's log ever names its request id.
 * Covers a query that streams rows slowly past the deadline (the TIMEOUT arrives after the
 * reply head), one that is silent until the deadline (before the head), and `/execute`.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { OutpostClient, OutpostError } from "../../src/client/index.ts";
import { createLogger } from "../../src/log/logger.ts";
import { startMariaDb, type TestMariaDb } from "../support/mariadb.ts";
import { startPostgres, type TestPostgres } from "../support/postgres.ts";
import { startStack, type Stack } from "../support/stack.ts";
import { databaseProfileYaml } from "../support/database-server.ts";

let stack: Stack;
let maria: TestMariaDb;
let pg: TestPostgres;
const lines: Record<string, unknown>[] = [];
const log = createLogger("test", { level: "debug", format: "json", sinks: [{ write: (line) => lines.push(JSON.parse(line)) }] });

beforeAll(async () => {
  [maria, pg] = await Promise.all([startMariaDb(), startPostgres()]);
  stack = await startStack({
    log,
    profiles: () => `
databases:
${databaseProfileYaml("maria", "mysql", maria)}${databaseProfileYaml("pg", "postgresql", pg)}`,
  });
  await stack.addAgent("alpha");
  await stack.addAgent("beta");
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  await Promise.all([maria?.stop(), pg?.stop()]);
});

/** Agents whose log says they started the request with this id (a client retry keeps the id it was given). */
function agentsThatRan(requestId: string): string[] {
  return lines.filter((line) => line.requestId === requestId && line.msg === "request started").map((line) => String(line.agentName));
}

async function call(profile: string, op: string, body: Record<string, unknown>, accept?: string): Promise<{ status: number; text: string; requestId: string }> {
  const requestId = crypto.randomUUID();
  const headers: Record<string, string> = { "x-request-id": requestId };
  if (accept) headers.accept = accept;
  const response = await stack.call(`/v1/groups/sales/db/${profile}/${op}`, { method: "POST", headers, body: JSON.stringify(body) });
  // A cut body (the TIMEOUT arrived after the head) is what the caller sees, not a test failure.
  const text = await response.text().catch((error: Error) => `cut: ${error.message}`);
  return { status: response.status, text, requestId };
}

/** Every request id in these calls ran on exactly one agent. */
async function expectRanOnce(requestId: string): Promise<void> {
  await Bun.sleep(300); // a second attempt would have started by now: the deadline was 1 s ago
  expect(agentsThatRan(requestId)).toHaveLength(1);
}

describe("a statement past its deadline is not sent to the other agent", () => {
  test("MariaDB /query silent until the deadline: 504 TIMEOUT, one agent", async () => {
    for (let i = 0; i < 4; i++) {
      const got = await call("maria", "query", { sql: "select sleep(3)", timeoutMs: 1000 });
      expect(got.status).toBe(504);
      expect(JSON.parse(got.text).error).toMatchObject({ code: "TIMEOUT", retryable: false });
      await expectRanOnce(got.requestId);
    }
  }, 60_000);

  test("MariaDB query through the typed client (which retries what is retryable): TIMEOUT, one agent", async () => {
    const client = new OutpostClient({ url: `https://localhost:${stack.gateway.port}`, token: stack.token, ca: stack.ca.certPem });
    for (let i = 0; i < 4; i++) {
      const requestId = crypto.randomUUID();
      const failed = await client.group("sales").db("maria").query("select sleep(3)", [], { timeoutMs: 1000, requestId }).catch((error: unknown) => error);
      expect(failed).toBeInstanceOf(OutpostError);
      expect((failed as OutpostError).code).toBe("TIMEOUT");
      await expectRanOnce(requestId);
    }
  }, 60_000);

  test("MariaDB /query streaming rows slowly past the deadline: the caller is told, one agent", async () => {
    for (const accept of [undefined, "application/x-ndjson"]) {
      const got = await call("maria", "query", { sql: "select sleep(0.2) as s, seq from seq_1_to_100", timeoutMs: 1000 }, accept);
      if (got.status === 200) {
        // The head was out before the deadline: the NDJSON ends with an error line, JSON is cut.
        if (accept) expect(JSON.parse(got.text.trim().split("\n").at(-1)!).error.code).toBe("TIMEOUT");
        else expect(() => JSON.parse(got.text)).toThrow();
      } else {
        expect(got.status).toBe(504);
      }
      await expectRanOnce(got.requestId);
    }
  }, 60_000);

  test("MariaDB /execute of do sleep(3) with timeoutMs 1000: 504 TIMEOUT, one agent", async () => {
    const got = await call("maria", "execute", { sql: "do sleep(3)", timeoutMs: 1000 });
    await expectRanOnce(got.requestId);
    expect({ status: got.status, body: got.text }).toMatchObject({ status: 504 });
    expect(JSON.parse(got.text).error.code).toBe("TIMEOUT");
  }, 60_000);

  test("PostgreSQL /query and /execute of pg_sleep(3) with timeoutMs 1000: 504 TIMEOUT, one agent", async () => {
    for (const op of ["query", "execute"]) {
      const got = await call("pg", op, { sql: "select pg_sleep(3)", timeoutMs: 1000 });
      expect(got.status).toBe(504);
      expect(JSON.parse(got.text).error.code).toBe("TIMEOUT");
      await expectRanOnce(got.requestId);
    }
  }, 60_000);
});
