import { expect, test } from "bun:test";
import { Backoff } from "../../src/tunnel/backoff.ts";

function fixed(value: number) {
  return () => value;
}

test("full jitter: delays lie between 0 and the exponential ceiling", () => {
  const high = new Backoff({ baseMs: 500, capMs: 30_000, random: fixed(0.999999) });
  const ceilings = [500, 1000, 2000, 4000, 8000, 16000, 30000, 30000];
  for (const ceiling of ceilings) {
    const delay = high.next();
    expect(delay).toBeLessThan(ceiling);
    expect(delay).toBeGreaterThanOrEqual(ceiling - 1);
  }
  const low = new Backoff({ random: fixed(0) });
  for (let i = 0; i < 10; i++) expect(low.next()).toBe(0);
});

test("the cap holds however many attempts fail", () => {
  const backoff = new Backoff({ random: fixed(0.999999) });
  for (let i = 0; i < 200; i++) expect(backoff.next()).toBeLessThan(30_000);
});

test("a refused short session keeps backing off; a healthy one resets everything", () => {
  let now = 0;
  const backoff = new Backoff({ graceMs: 10_000, random: fixed(0.5), now: () => now });
  for (let i = 0; i < 5; i++) backoff.next();
  expect(backoff.attempts).toBe(5);

  backoff.markConnected();
  now += 9_999;
  backoff.markDisconnected({ refused: true });
  expect(backoff.attempts).toBe(5); // ended by policy too soon: keep backing off

  backoff.markConnected();
  now += 10_000;
  backoff.markDisconnected();
  expect(backoff.attempts).toBe(0);
  expect(backoff.next()).toBe(250);
});

test("gateway restarts less than the grace period apart: the first retries stay under 5 s, failures to connect still grow", () => {
  let now = 0;
  const backoff = new Backoff({ graceMs: 10_000, random: fixed(0.999999), now: () => now });
  const restartCycle = (failedDials: number) => {
    backoff.markConnected();
    now += 3_000; // up for 3 s, then the gateway goes away without a refusal
    backoff.markDisconnected();
    return Array.from({ length: failedDials + 1 }, () => backoff.next());
  };
  for (let cycle = 0; cycle < 20; cycle++) {
    const delays = restartCycle(3);
    for (const delay of delays) expect(delay).toBeLessThan(5_000);
  }
  // A long outage after a restart still backs off as before.
  const outage = restartCycle(8);
  expect(outage.at(-1)!).toBeGreaterThan(15_000);
});

test("a gateway that accepts and drops at once is not hammered: a floor rises to 4 s", () => {
  let now = 0;
  const backoff = new Backoff({ random: fixed(0.999999), now: () => now });
  const firsts: number[] = [];
  for (let i = 0; i < 6; i++) {
    backoff.markConnected();
    now += 10;
    backoff.markDisconnected();
    firsts.push(backoff.next());
  }
  expect(firsts.map((delay) => Math.round(delay / 100) * 100)).toEqual([500, 1000, 2000, 4000, 4000, 4000]);
});

test("a go-away earns one immediate retry without counting an attempt", () => {
  const backoff = new Backoff({ random: fixed(0.5) });
  backoff.next();
  backoff.retryImmediately();
  expect(backoff.next()).toBe(0);
  expect(backoff.attempts).toBe(1);
  expect(backoff.next()).toBe(500);
});
