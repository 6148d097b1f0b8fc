import { expect, test } from "bun:test";
import { FailureLimiter } from "../../../src/gateway/auth/failure-limiter.ts";

function limiter(options: { maxFailures?: number; maxTracked?: number } = {}) {
  let clock = 0;
  const l = new FailureLimiter({ windowMs: 60_000, now: () => clock, ...options });
  return { l, advance: (ms: number) => (clock += ms) };
}

test("blocks an address after maxFailures, others unaffected", () => {
  const { l } = limiter({ maxFailures: 3 });
  for (let i = 0; i < 2; i++) l.recordFailure("10.0.0.1");
  expect(l.retryAfterSeconds("10.0.0.1")).toBe(0);
  l.recordFailure("10.0.0.1");
  expect(l.retryAfterSeconds("10.0.0.1")).toBe(20);
  expect(l.retryAfterSeconds("10.0.0.2")).toBe(0);
});

test("refills one attempt per window/maxFailures", () => {
  const { l, advance } = limiter({ maxFailures: 3 });
  for (let i = 0; i < 3; i++) l.recordFailure("a");
  advance(19_000);
  expect(l.retryAfterSeconds("a")).toBe(1);
  advance(1_000);
  expect(l.retryAfterSeconds("a")).toBe(0);
  l.recordFailure("a");
  expect(l.retryAfterSeconds("a")).toBe(20);
  advance(60_000);
  expect(l.retryAfterSeconds("a")).toBe(0);
});

test("forgets the stalest address past maxTracked", () => {
  const { l } = limiter({ maxFailures: 1, maxTracked: 2 });
  l.recordFailure("a");
  l.recordFailure("b");
  l.recordFailure("c");
  expect(l.retryAfterSeconds("a")).toBe(0);
  expect(l.retryAfterSeconds("b")).toBeGreaterThan(0);
  expect(l.retryAfterSeconds("c")).toBeGreaterThan(0);
});
