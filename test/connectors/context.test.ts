/** @module Call contexts: deadline → TIMEOUT, parent abort → CANCELLED, dispose clears the timer. */
import { expect, test } from "bun:test";
import { createCallContext, throwIfAborted } from "../../src/connectors/context.ts";
import { ConnectorError } from "../../src/connectors/errors.ts";
import { matchesGlob } from "../../src/connectors/glob.ts";

test("a passed deadline aborts with TIMEOUT", async () => {
  const ctx = createCallContext({ deadline: Date.now() + 20 });
  await new Promise((resolve) => ctx.signal.addEventListener("abort", resolve));
  expect(ctx.signal.reason).toBeInstanceOf(ConnectorError);
  expect(ctx.signal.reason.code).toBe("TIMEOUT");
  expect(() => throwIfAborted(ctx.signal)).toThrow(ConnectorError);
});

test("an aborted parent aborts with CANCELLED, also when already aborted", () => {
  const parent = new AbortController();
  const ctx = createCallContext({ signal: parent.signal, timeoutMs: 60_000 });
  parent.abort(new Error("socket closed"));
  expect(ctx.signal.reason.code).toBe("CANCELLED");
  ctx.dispose();
  expect(createCallContext({ signal: AbortSignal.abort() }).signal.reason.code).toBe("CANCELLED");
});

test("a disposed context no longer times out", async () => {
  const ctx = createCallContext({ deadline: Date.now() + 10 });
  ctx.dispose();
  await Bun.sleep(30);
  expect(ctx.signal.aborted).toBe(false);
});

test("globs match names only", () => {
  expect(matchesGlob("a.csv", "*.csv")).toBe(true);
  expect(matchesGlob("a.csv.bak", "*.csv")).toBe(false);
  expect(matchesGlob("report-07.txt", "report-??.txt")).toBe(true);
  expect(matchesGlob("in-1", "{in,out}-*")).toBe(true);
  expect(matchesGlob("b1", "[ab]*")).toBe(true);
  expect(matchesGlob("c1", "[!ab]*")).toBe(true);
  expect(matchesGlob("a(1).csv", "a(1).csv")).toBe(true);
  expect(matchesGlob("anything", undefined)).toBe(true);
});
