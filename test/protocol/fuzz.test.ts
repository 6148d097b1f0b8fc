/**
 * Feeds random and mutated bytes to every decoder: each input must decode or throw a
 * ProtocolError, nothing else. A seeded generator keeps failures reproducible.
 */
import { expect, test } from "bun:test";
import {
  FrameType, ProtocolError, decodeFrame, decodeHello, decodeOpenHeader, decodeReplyHead, encodeFrame, encodeHello,
  encodeOpenHeader, encodeReplyHead, readReplyHeadLength,
} from "../../src/protocol/index.ts";

function xorshift(seed: number) {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13; state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5; state >>>= 0;
    return state;
  };
}

const seeds: Uint8Array[] = [
  encodeFrame({ type: FrameType.DATA, flags: 0, streamId: 1, payload: new Uint8Array(40) }),
  encodeFrame({ type: FrameType.WINDOW_UPDATE, flags: 0, streamId: 1, payload: new Uint8Array(4) }),
  encodeFrame({ type: FrameType.PING, flags: 0, streamId: 0, payload: new Uint8Array(8) }),
  encodeFrame({ type: FrameType.RESET, flags: 0, streamId: 3, payload: new Uint8Array([0, 0, 0, 1, 65]) }),
  encodeFrame({ type: FrameType.OPEN, flags: 0, streamId: 3, payload: encodeOpenHeader({ op: "db.query", profile: "p", args: { sql: "select 1" }, requestId: "r", deadline: 1 }) }),
  encodeHello({ kind: "hello", versions: [1], challenge: Buffer.alloc(32).toString("base64"), maxFrame: 65536 }),
  encodeHello({ kind: "ok", sessionId: "s", version: 1, maxFrame: 65536, keepalive: { intervalMs: 1, timeoutMs: 2 }, time: 1_700_000_000_000 }),
  encodeHello({
    kind: "auth", version: 1, agentId: "a", host: "h", publicKey: "k", signature: "s", maxFrame: 65536,
    info: { version: "1", hostname: "h", pid: 1, user: "u", os: "linux", arch: "x64", profiles: [{ name: "n", kind: "sql", hash: "x" }] },
  }),
];
const replySeed = encodeReplyHead({ ok: false, error: { code: "TIMEOUT", message: "slow", retryable: true } });

function mutate(next: () => number, input: Uint8Array): Uint8Array {
  const choice = next() % 4;
  if (choice === 0) {
    const out = new Uint8Array(next() % 64);
    for (let i = 0; i < out.length; i++) out[i] = next() & 0xff;
    return out;
  }
  if (choice === 1) return input.subarray(0, next() % (input.length + 1));
  const out = new Uint8Array(input);
  const flips = 1 + (next() % 4);
  for (let i = 0; i < flips; i++) out[next() % out.length] = next() & 0xff;
  return choice === 3 ? out : out.subarray(0, Math.max(0, out.length - (next() % 3)));
}

function expectOnlyProtocolErrors(fn: () => unknown): "ok" | "error" {
  try {
    fn();
    return "ok";
  } catch (error) {
    if (!(error instanceof ProtocolError)) throw new Error(`non-protocol error: ${String(error)}`);
    return "error";
  }
}

test("100,000 random and mutated frames yield a Frame or a ProtocolError", () => {
  const next = xorshift(0xc0ffee);
  let decoded = 0;
  for (let i = 0; i < 100_000; i++) {
    const input = mutate(next, seeds[i % seeds.length]!);
    const outcome = expectOnlyProtocolErrors(() => {
      const frame = decodeFrame(input, { maxPayload: 1024 });
      decoded++;
      if (frame.payload.byteLength > 1024) throw new Error("payload beyond maxPayload");
      if (frame.type === FrameType.HELLO) decodeHello(frame.payload);
      if (frame.type === FrameType.OPEN) decodeOpenHeader(frame.payload);
    });
    expect(outcome === "ok" || outcome === "error").toBe(true);
  }
  expect(decoded).toBeGreaterThan(1000);
});

test("20,000 mutated reply heads decode or throw ProtocolError", () => {
  const next = xorshift(42);
  for (let i = 0; i < 20_000; i++) {
    const input = mutate(next, replySeed);
    expectOnlyProtocolErrors(() => {
      const length = readReplyHeadLength(input);
      decodeReplyHead(input.subarray(4, 4 + length));
    });
  }
});
