/**
 * A profile whose database refuses the login: every request retries the init (so fixing the
 * password needs no restart), but the agent's log gets one line naming the cause, not one
 * per request.
 */
import { afterAll, expect, test } from "bun:test";
import { createCallContext } from "../../src/connectors/context.ts";
import { createManagedConnector } from "../../src/connectors/managed.ts";
import { createPostgresConnector } from "../../src/connectors/postgres/postgres-connector.ts";
import { createLogger, type Level } from "../../src/log/logger.ts";
import { startPostgres } from "../support/postgres.ts";

const server = await startPostgres();
afterAll(() => server.stop());

test("a wrong database password logs one line with the server's reason, however many requests fail", async () => {
  const lines: string[] = [];
  const log = createLogger("sql", { format: "json", sinks: [{ write: (line: string, _level: Level) => lines.push(line) }] });
  const profile = { adapter: "postgresql" as const, host: server.host, port: server.port, database: server.database, username: server.user, password: "wrong-password" };
  const db = createManagedConnector(createPostgresConnector(profile, { log }), { profile: "orders", log });
  const codes = new Set<string>();
  for (let i = 0; i < 20; i++) {
    const error = await db.execute({ sql: "select 1" }, createCallContext({ timeoutMs: 10_000 })).then(() => undefined, (e: { code: string }) => e);
    codes.add(error?.code ?? "none");
  }
  await db.close();
  expect([...codes]).not.toContain("none");
  const initLines = lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.msg === "connector init failed");
  expect(initLines).toHaveLength(1);
  expect(initLines[0]).toMatchObject({ profile: "orders" });
  expect(String(initLines[0]!.error)).toMatch(/password/i);
  expect(lines.join("\n")).not.toContain("wrong-password");
});
