/**
 * What a request's deadline bounds. A query is cut at its deadline (and cancelled on the
 * agent); a download or a forwarded response streams for as long as the caller reads —
 * its deadline bounds only the wait for the first byte — and an upload lasts as long as
 * the caller sends.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startStack, type Stack } from "../support/stack.ts";

let stack: Stack;
const SIZE = 4 * 1024 * 1024;
/** Large enough that socket buffers cannot hold it all while the caller stalls. */
const BIG = 48 * 1024 * 1024;

beforeAll(async () => {
  stack = await startStack({
    timeouts: { defaultTimeoutMs: 800 },
    profiles: (dir) => {
      mkdirSync(join(dir, "share"), { recursive: true });
      writeFileSync(join(dir, "share", "big.bin"), Buffer.alloc(BIG, 7));
      return `files:\n  share:\n    base: ${join(dir, "share")}\nscripts:\n  tools:\n    commands:\n      slow:\n        argv: ["/bin/sleep", "5"]\n`;
    },
  });
  await stack.addAgent("alpha");
});

afterAll(() => stack.stop());

test("a slowly read download outlives the deadline and arrives whole", async () => {
  const response = await stack.call("/v1/groups/sales/files/share/big.bin");
  expect(response.status).toBe(200);
  const reader = response.body!.getReader();
  let received = (await reader.read()).value!.byteLength;
  await Bun.sleep(3500); // the caller stalls well past the 0.8 s deadline; flow control holds the agent
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    received += value.byteLength;
  }
  expect(received).toBe(BIG);
}, 30_000);

test("a slowly sent upload outlives the deadline and lands whole", async () => {
  let sent = 0;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (sent >= SIZE) return controller.close();
      await Bun.sleep(100); // 16 chunks: about 1.6 s, past the 0.8 s deadline
      const chunk = new Uint8Array(256 * 1024).fill(7);
      sent += chunk.byteLength;
      controller.enqueue(chunk);
    },
  });
  const response = await stack.call("/v1/groups/sales/files/share/up.bin", { method: "PUT", body, duplex: "half" } as RequestInit);
  expect(response.status).toBe(201);
  expect(readFileSync(join(stack.agents[0]!.dir, "share", "up.bin")).byteLength).toBe(SIZE);
}, 30_000);

test("a script that runs past the deadline is stopped with 504 TIMEOUT", async () => {
  const response = await stack.call("/v1/groups/sales/scripts/tools/slow", { method: "POST", body: "{}" });
  expect(response.status).toBe(504);
  expect(((await response.json()) as { error: { code: string; retryable: boolean } }).error).toMatchObject({ code: "TIMEOUT", retryable: false });
}, 30_000);
