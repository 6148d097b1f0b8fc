import { describe, expect, test } from "bun:test";
import {
  ProtocolError, authTranscript, decodeFrame, decodeHello, decodeOpenHeader, decodeRemoteError, decodeReplyHead,
  encodeHello, encodeOpenHeader, encodeRemoteError, encodeReplyHead, readReplyHeadLength, type HelloMessage,
} from "../../src/protocol/index.ts";

const utf8 = new TextEncoder();
const encodeJsonForTest = (value: unknown) => utf8.encode(JSON.stringify(value));

function errorCode(fn: () => unknown): string {
  try {
    fn();
    return "none";
  } catch (error) {
    expect(error).toBeInstanceOf(ProtocolError);
    return (error as ProtocolError).code;
  }
}

describe("open header", () => {
  test("round-trips", () => {
    const header = { op: "db.query", profile: "orders", args: { sql: "select 1", params: [1] }, requestId: "r-1", deadline: 1_700_000_000_000 };
    expect(decodeOpenHeader(encodeOpenHeader(header))).toEqual(header);
  });
  test("rejects wrong types", () => {
    expect(errorCode(() => decodeOpenHeader(utf8.encode('{"op":1}')))).toBe("BAD_MESSAGE");
    expect(errorCode(() => decodeOpenHeader(utf8.encode('{"op":"a","profile":"p","args":[],"requestId":"r","deadline":1}')))).toBe("BAD_MESSAGE");
    expect(errorCode(() => decodeOpenHeader(utf8.encode('{"op":"a","profile":"p","args":{},"requestId":"r","deadline":-1}')))).toBe("BAD_MESSAGE");
    expect(errorCode(() => decodeOpenHeader(utf8.encode("[1]")))).toBe("BAD_MESSAGE");
    expect(errorCode(() => decodeOpenHeader(new Uint8Array([0xff, 0xfe])))).toBe("BAD_JSON");
  });
});

describe("reply head", () => {
  test("round-trips success and failure", () => {
    for (const head of [
      { ok: true as const },
      { ok: true as const, meta: { columns: ["a"], rowCount: 3 } },
      { ok: false as const, error: { code: "TIMEOUT", message: "too slow", retryable: true } },
    ]) {
      const bytes = encodeReplyHead(head);
      const length = readReplyHeadLength(bytes);
      expect(length).toBe(bytes.byteLength - 4);
      expect(decodeReplyHead(bytes.subarray(4))).toEqual(head);
    }
  });
  test("rejects oversized lengths before buffering", () => {
    expect(errorCode(() => readReplyHeadLength(new Uint8Array([0xff, 0xff, 0xff, 0xff])))).toBe("HEAD_TOO_LARGE");
    expect(errorCode(() => encodeReplyHead({ ok: true, meta: { big: "x".repeat(70_000) } }))).toBe("HEAD_TOO_LARGE");
  });
  test("rejects bad shapes", () => {
    expect(errorCode(() => decodeReplyHead(utf8.encode('{"ok":"yes"}')))).toBe("BAD_MESSAGE");
    expect(errorCode(() => decodeReplyHead(utf8.encode('{"ok":false,"error":{"code":1}}')))).toBe("BAD_MESSAGE");
  });
  test("remote errors survive a RESET message, and garbage becomes INTERNAL", () => {
    const error = { code: "QUERY_FAILED", message: "syntax", retryable: false };
    expect(decodeRemoteError(encodeRemoteError(error))).toEqual(error);
    expect(decodeRemoteError("not json")).toEqual({ code: "INTERNAL", message: "not json", retryable: false });
  });
});

describe("hello messages", () => {
  const messages: HelloMessage[] = [
    { kind: "hello", versions: [1, 2], challenge: Buffer.alloc(32, 7).toString("base64"), maxFrame: 65536 },
    {
      kind: "auth", version: 1, agentId: "agt_1", host: "gw.example:8443", publicKey: "pk", signature: "sig", maxFrame: 65536,
      info: { version: "0.1.0", hostname: "box", pid: 42, user: "svc", os: "linux", arch: "x64", profiles: [{ name: "orders", kind: "postgres", hash: "abc" }] },
    },
    { kind: "ok", sessionId: "s-1", version: 1, maxFrame: 65536, keepalive: { intervalMs: 1500, timeoutMs: 4500 }, time: 1_700_000_000_000 },
  ];
  for (const message of messages) {
    test(`${message.kind} round-trips`, () => expect(decodeHello(decodeFrame(encodeHello(message)).payload)).toEqual(message));
  }
  test("rejects short challenges, bad maxFrame and unknown kinds", () => {
    expect(errorCode(() => decodeHello(encodeJsonForTest({ kind: "hello", versions: [1], challenge: "AAAA", maxFrame: 65536 })))).toBe("BAD_MESSAGE");
    expect(errorCode(() => decodeHello(encodeJsonForTest({ ...messages[2], maxFrame: 10 })))).toBe("BAD_MESSAGE");
    expect(errorCode(() => decodeHello(encodeJsonForTest({ kind: "nope" })))).toBe("BAD_MESSAGE");
  });
  test("transcript is domain-separated and length-prefixed", () => {
    const challenge = new Uint8Array(32).fill(1);
    const a = authTranscript(challenge, "gw:1", "agent");
    const b = authTranscript(challenge, "gw:1a", "gent");
    expect(new TextDecoder().decode(a.subarray(0, 15))).toBe("outpost-auth-v1");
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(false);
  });
});
