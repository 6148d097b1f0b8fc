import { describe, expect, test } from "bun:test";
import {
  DEFAULT_MAX_FRAME, FrameFlag, FrameType, GoAwayCode, HEADER_SIZE, ProtocolError, ResetCode,
  dataFrame, decodeFrame, encodeFrame, endFrame, goAwayFrame, pingFrame, readCodeAndMessage, readCredit,
  resetFrame, windowUpdateFrame, type Frame,
} from "../../src/protocol/index.ts";

const bytes = (...values: number[]) => new Uint8Array(values);

describe("codec round-trips", () => {
  const cases: Array<[string, Frame]> = [
    ["HELLO", { type: FrameType.HELLO, flags: 0, streamId: 0, payload: new TextEncoder().encode('{"kind":"hello"}') }],
    ["OPEN", { type: FrameType.OPEN, flags: 0, streamId: 7, payload: new TextEncoder().encode("{}") }],
    ["DATA", { type: FrameType.DATA, flags: 0, streamId: 0xffffffff, payload: bytes(1, 2, 3) }],
    ["DATA empty", { type: FrameType.DATA, flags: 0, streamId: 1, payload: bytes() }],
    ["WINDOW_UPDATE", { type: FrameType.WINDOW_UPDATE, flags: 0, streamId: 3, payload: bytes(0, 1, 0, 0) }],
    ["END", { type: FrameType.END, flags: 0, streamId: 3, payload: bytes() }],
    ["RESET", { type: FrameType.RESET, flags: 0, streamId: 3, payload: bytes(0, 0, 0, 1, 104, 105) }],
    ["PING", { type: FrameType.PING, flags: FrameFlag.ACK, streamId: 0, payload: bytes(1, 2, 3, 4, 5, 6, 7, 8) }],
    ["GO_AWAY", { type: FrameType.GO_AWAY, flags: 0, streamId: 0, payload: bytes(0, 0, 0, 1) }],
  ];
  for (const [name, frame] of cases) {
    test(name, () => {
      const decoded = decodeFrame(encodeFrame(frame));
      expect(decoded.type).toBe(frame.type);
      expect(decoded.flags).toBe(frame.flags);
      expect(decoded.streamId).toBe(frame.streamId);
      expect([...decoded.payload]).toEqual([...frame.payload]);
    });
  }

  test("builders and readers agree", () => {
    expect(readCredit(decodeFrame(windowUpdateFrame(5, 262144)).payload)).toBe(262144);
    expect(readCodeAndMessage(decodeFrame(resetFrame(5, ResetCode.CANCELLED, "caller left")).payload))
      .toEqual({ code: ResetCode.CANCELLED, message: "caller left" });
    expect(readCodeAndMessage(decodeFrame(goAwayFrame(GoAwayCode.RESTARTING, "upgrade")).payload))
      .toEqual({ code: GoAwayCode.RESTARTING, message: "upgrade" });
    expect(decodeFrame(endFrame(9)).type).toBe(FrameType.END);
    expect(decodeFrame(dataFrame(9, bytes(4))).payload[0]).toBe(4);
    const pong = decodeFrame(pingFrame(bytes(1, 1, 1, 1, 1, 1, 1, 1), true));
    expect(pong.flags & FrameFlag.ACK).toBe(FrameFlag.ACK);
  });

  test("long control messages are cut to fit", () => {
    const frame = decodeFrame(resetFrame(1, ResetCode.INTERNAL, "x".repeat(10_000)));
    expect(readCodeAndMessage(frame.payload).message.length).toBe(512);
  });
});

function header(version: number, type: number, flags: number, streamId: number, length: number): Uint8Array {
  const out = new Uint8Array(HEADER_SIZE);
  const view = new DataView(out.buffer);
  view.setUint8(0, version); view.setUint8(1, type); view.setUint16(2, flags);
  view.setUint32(4, streamId); view.setUint32(8, length);
  return out;
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof ProtocolError) return error.code;
    throw error;
  }
  return "none";
}

describe("decodeFrame rejects", () => {
  test("truncated headers", () => expect(codeOf(() => decodeFrame(bytes(1, 2, 0)))).toBe("TRUNCATED"));
  test("other versions", () => expect(codeOf(() => decodeFrame(header(2, 2, 0, 1, 0)))).toBe("BAD_VERSION"));
  test("unknown types", () => expect(codeOf(() => decodeFrame(header(1, 99, 0, 1, 0)))).toBe("UNKNOWN_TYPE"));
  test("length mismatch", () => expect(codeOf(() => decodeFrame(header(1, 2, 0, 1, 5)))).toBe("LENGTH_MISMATCH"));
  test("stream frame on id 0", () => expect(codeOf(() => decodeFrame(header(1, FrameType.DATA, 0, 0, 0)))).toBe("BAD_STREAM_ID"));
  test("session frame on a stream id", () => {
    const ping = new Uint8Array(HEADER_SIZE + 8);
    ping.set(header(1, FrameType.PING, 0, 3, 8));
    expect(codeOf(() => decodeFrame(ping))).toBe("BAD_STREAM_ID");
  });
  test("wrong fixed payload sizes", () => {
    const update = new Uint8Array(HEADER_SIZE + 3);
    update.set(header(1, FrameType.WINDOW_UPDATE, 0, 1, 3));
    expect(codeOf(() => decodeFrame(update))).toBe("BAD_PAYLOAD");
    const reset = new Uint8Array(HEADER_SIZE + 2);
    reset.set(header(1, FrameType.RESET, 0, 1, 2));
    expect(codeOf(() => decodeFrame(reset))).toBe("BAD_PAYLOAD");
  });
  test("impossible lengths, before looking at the payload", () => {
    // A header alone claiming 4 GiB: rejected by size, not by the (missing) bytes.
    expect(codeOf(() => decodeFrame(header(1, FrameType.DATA, 0, 1, 0xffffffff)))).toBe("FRAME_TOO_LARGE");
    expect(codeOf(() => decodeFrame(header(1, FrameType.DATA, 0, 1, DEFAULT_MAX_FRAME + 1)))).toBe("FRAME_TOO_LARGE");
    expect(codeOf(() => decodeFrame(header(1, FrameType.DATA, 0, 1, 2000), { maxPayload: 1024 }))).toBe("FRAME_TOO_LARGE");
  });
  test("payloads are views, not copies", () => {
    const encoded = dataFrame(1, bytes(9, 9, 9));
    expect(decodeFrame(encoded).payload.buffer).toBe(encoded.buffer);
  });
});
