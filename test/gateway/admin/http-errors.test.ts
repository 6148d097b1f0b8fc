import { expect, test } from "bun:test";
import { createLogger, type Level } from "../../../src/log/logger.ts";
import { errorResponse, GatewayError, readJsonObject } from "../../../src/gateway/http-errors.ts";

test("a GatewayError keeps its code, message and status; 429 carries Retry-After", async () => {
  const response = errorResponse(new GatewayError("RATE_LIMITED", "slow down", { retryAfterSeconds: 7 }), "r1");
  expect(response.status).toBe(429);
  expect(response.headers.get("retry-after")).toBe("7");
  expect(await response.json()).toEqual({ error: { code: "RATE_LIMITED", message: "slow down", retryable: true, requestId: "r1" } });
});

test("an unexpected error is a generic 500; its message goes to the log only", async () => {
  const lines: string[] = [];
  const log = createLogger("gateway", { format: "json", sinks: [{ write: (line: string, _level: Level) => lines.push(line) }] });
  const response = errorResponse(new Error("disk /secret/path exploded"), "r2", log);
  expect(response.status).toBe(500);
  const body = await response.json();
  expect(body).toEqual({ error: { code: "INTERNAL", message: "internal error", retryable: false, requestId: "r2" } });
  expect(lines.join("")).toContain("disk /secret/path exploded");
});

test("an unknown code is the gateway's fault (500)", () => {
  expect(new GatewayError("SOMETHING_NEW", "x").status).toBe(500);
});

test("readJsonObject: empty body is {}, oversize is 413", async () => {
  expect(await readJsonObject(new Request("http://x/", { method: "POST" }))).toEqual({});
  const big = new Request("http://x/", { method: "POST", body: JSON.stringify({ a: "x".repeat(100) }) });
  await expect(readJsonObject(big, 50)).rejects.toMatchObject({ code: "TOO_LARGE", status: 413 });
});

test("a chunked body past the limit is refused without being read whole", async () => {
  let sent = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent > 100 * 1024 * 1024) return controller.close();
      sent += 64 * 1024;
      controller.enqueue(new Uint8Array(64 * 1024).fill(32));
    },
  });
  const request = new Request("http://gateway.test/v1/activate", { method: "POST", body, duplex: "half" } as RequestInit);
  const error = await readJsonObject(request, 64 * 1024).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(GatewayError);
  expect((error as GatewayError).code).toBe("TOO_LARGE");
  expect(sent).toBeLessThan(1024 * 1024);
});
