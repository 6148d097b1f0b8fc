/**
 * The session's promise not to write unboundedly into its transport: DATA stops while the
 * transport's send buffer is above the high-water mark and resumes on `drained()`.
 * The transport here is a real buffer that empties only when the test flushes it.
 */
import { expect, test } from "bun:test";
import { DEFAULT_MAX_FRAME, FrameType, decodeFrame } from "../../src/protocol/index.ts";
import type { FrameTransport } from "../../src/tunnel/frame-transport.ts";
import { Session } from "../../src/tunnel/session.ts";

class HoldingTransport implements FrameTransport {
  frames: Uint8Array[] = [];
  bufferedAmount = 0;
  send(frame: Uint8Array) {
    this.frames.push(frame);
    this.bufferedAmount += frame.byteLength;
  }
  flush() {
    this.bufferedAmount = 0;
  }
  close() {}
}

const dataBytes = (frames: Uint8Array[]) =>
  frames.map((f) => decodeFrame(f)).filter((f) => f.type === FrameType.DATA).reduce((sum, f) => sum + f.payload.byteLength, 0);

test("DATA waits while the send buffer is above the high-water mark", async () => {
  const transport = new HoldingTransport();
  const highWaterMark = 32 * 1024;
  const session = new Session({ transport, role: "gateway", keepalive: false, highWaterMark, drainPollMs: 1_000_000 });
  const stream = session.open({ op: "upload", profile: "p", args: {}, requestId: "r", deadline: 0 });
  const done = stream.write(new Uint8Array(200 * 1024));
  await Bun.sleep(20);
  expect(dataBytes(transport.frames)).toBeLessThanOrEqual(highWaterMark + DEFAULT_MAX_FRAME);
  let sent = dataBytes(transport.frames);
  while (sent < 200 * 1024) {
    transport.flush();
    session.drained();
    await Bun.sleep(1);
    const now = dataBytes(transport.frames);
    expect(now - sent).toBeLessThanOrEqual(highWaterMark + DEFAULT_MAX_FRAME);
    sent = now;
  }
  await done;
  session.close();
});
