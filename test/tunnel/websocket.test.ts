/** The client adapter's failure modes: untrusted certificates and refused ports fail as CONNECT_FAILED. */
import { expect, test } from "bun:test";
import { TunnelError } from "../../src/tunnel/errors.ts";
import { connectWebSocket } from "../../src/tunnel/websocket-client.ts";
import { createTestCa } from "../support/certs.ts";
import { freePort } from "../support/ports.ts";
import { createWebSocketPair } from "./support/links.ts";

async function failure(promise: Promise<unknown>): Promise<TunnelError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(TunnelError);
    return error as TunnelError;
  }
  throw new Error("expected a failure");
}

test("a certificate from another CA is refused", async () => {
  const pair = await createWebSocketPair();
  try {
    const stranger = createTestCa("Stranger CA");
    const error = await failure(connectWebSocket(pair.url, { ca: stranger.certPem }));
    expect(error.code).toBe("CONNECT_FAILED");
    expect(error.retryable).toBe(true);
  } finally {
    pair.stop();
  }
});

test("a closed port fails as CONNECT_FAILED", async () => {
  const port = await freePort();
  const error = await failure(connectWebSocket(`wss://127.0.0.1:${port}/`, { timeoutMs: 5_000 }));
  expect(error.code).toBe("CONNECT_FAILED");
});

test("an aborted dial rejects", async () => {
  const pair = await createWebSocketPair();
  try {
    const error = await failure(connectWebSocket(pair.url, { signal: AbortSignal.abort() }));
    expect(error.code).toBe("CONNECT_FAILED");
  } finally {
    pair.stop();
  }
});
