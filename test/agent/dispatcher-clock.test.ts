/**
 * Deadlines travel in the gateway's time. An agent whose clock is an hour off must still
 * give a request the time the caller asked for: the dispatcher converts the deadline with
 * the offset measured in the handshake.
 */
import { expect, test } from "bun:test";
import type { CallContext, DatabaseConnector, QueryResult } from "../../src/connectors/connector.ts";
import { createManagedConnector } from "../../src/connectors/managed.ts";
import { Dispatcher } from "../../src/agent/dispatcher.ts";
import type { ProfileSet } from "../../src/agent/profiles.ts";
import { silentLogger } from "../../src/log/logger.ts";
import { attachSession, createMemoryPair } from "../../src/tunnel/index.ts";

test("a deadline set by a gateway whose clock is an hour ahead still leaves the request its full time", async () => {
  let seen: number | undefined;
  const connector: DatabaseConnector = {
    kind: "database",
    async query(_request, ctx: CallContext): Promise<QueryResult> {
      seen = ctx.deadline;
      return { columns: [{ name: "one", type: "integer" }], rows: (async function* () { yield [{ one: 1 }]; })() };
    },
    async execute() { return { rowsAffected: 0 }; },
    async batch() { return { rowsAffected: 0 }; },
    async close() {},
  };
  const managed = createManagedConnector(connector, { profile: "main", log: silentLogger });
  const profiles = { get: () => ({ name: "main", kind: "databases", hash: "h", connector: managed }) } as unknown as ProfileSet;
  const dispatcher = new Dispatcher({ profiles: () => profiles, log: silentLogger });
  const hourAhead = 3_600_000;
  const pair = createMemoryPair();
  const gateway = attachSession(pair.gateway, { role: "gateway", keepalive: false });
  attachSession(pair.agent, { role: "agent", keepalive: false, onStream: (stream) => dispatcher.handle(stream, hourAhead) });

  const askedMs = 60_000;
  const stream = gateway.open({ op: "db.query", profile: "main", args: { sql: "select 1" }, requestId: "r1", deadline: Date.now() + hourAhead + askedMs });
  await stream.end();
  const { head, body } = await stream.readReplyHead();
  expect(head.ok).toBe(true);
  expect(JSON.parse(await new Response(body.stream()).text()).rows).toEqual([{ one: 1 }]);
  expect(seen! - Date.now()).toBeGreaterThan(askedMs - 5_000);
  expect(seen! - Date.now()).toBeLessThanOrEqual(askedMs);
});
