/**
 * @module
 * The agent's loopback health server answers what docs/operations.md "Agent health
 * endpoints" says: `/live` 200, `/ready` 200 while connected and 503 otherwise with the
 * supervisor's state, 404 elsewhere; a non-loopback host is refused.
 */
import { expect, test } from "bun:test";
import { startHealthServer } from "../../src/agent/health-server.ts";

test("/live, /ready and others answer as documented", async () => {
  let state = { ready: false, state: "waiting", inFlight: 0 };
  const server = startHealthServer({ port: 0, ready: () => state });
  try {
    const get = (path: string) => fetch(`http://127.0.0.1:${server.port}${path}`);
    const live = await get("/live");
    expect([live.status, await live.json()]).toEqual([200, { status: "alive" }]);
    const waiting = await get("/ready");
    expect([waiting.status, await waiting.json()]).toEqual([503, { ready: false, state: "waiting", inFlight: 0 }]);
    state = { ready: true, state: "connected", inFlight: 2 };
    const ready = await get("/ready");
    expect([ready.status, await ready.json()]).toEqual([200, { ready: true, state: "connected", inFlight: 2 }]);
    const other = await get("/nope");
    expect([other.status, await other.json()]).toEqual([404, { error: "not found" }]);
  } finally {
    server.stop(true);
  }
});

test("a routable host is refused", () => {
  expect(() => startHealthServer({ port: 0, host: "0.0.0.0", ready: () => ({ ready: true, state: "connected", inFlight: 0 }) })).toThrow("must be a loopback address");
});
