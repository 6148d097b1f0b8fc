/**
 * Stream-id and flow-control rules of SPEC.md, checked by playing a hand-written gateway
 * (raw frames on an in-memory link) against a real agent session.
 */
import { expect, test } from "bun:test";
import {
  DEFAULT_INITIAL_WINDOW, FrameType, GoAwayCode, ResetCode, dataFrame, decodeFrame, encodeFrame, encodeOpenHeader,
  readCodeAndMessage, type Frame,
} from "../../src/protocol/index.ts";
import { attachSession } from "../../src/tunnel/attach.ts";
import type { TunnelError } from "../../src/tunnel/errors.ts";
import { createMemoryPair } from "../../src/tunnel/memory-connection.ts";
import type { Stream } from "../../src/tunnel/stream.ts";

const openHeader = { op: "echo", profile: "p", args: {}, requestId: "r", deadline: 0 };
const openFrame = (id: number, payload = encodeOpenHeader(openHeader)) =>
  encodeFrame({ type: FrameType.OPEN, flags: 0, streamId: id, payload });

function rawGateway() {
  const pair = createMemoryPair();
  const received: Frame[] = [];
  pair.gateway.listen({ message: (data) => received.push(decodeFrame(data)), close() {} });
  const streams: Stream[] = [];
  let closedWith: TunnelError | undefined | null = null;
  const agent = attachSession(pair.agent, {
    role: "agent", keepalive: false, onStream: (s) => streams.push(s), onClose: (e) => (closedWith = e),
  });
  const send = async (frame: Uint8Array) => {
    pair.gateway.transport.send(frame);
    // The in-memory link delivers one hop per event-loop turn; a few turns let every answer arrive.
    for (let turn = 0; turn < 10; turn++) await new Promise((resolve) => setImmediate(resolve));
  };
  return { agent, received, streams, send, closedWith: () => closedWith };
}

test("a bad open header resets that stream only", async () => {
  const g = rawGateway();
  await g.send(openFrame(1, new TextEncoder().encode('{"op":1}')));
  const reset = g.received.find((f) => f.type === FrameType.RESET && f.streamId === 1)!;
  expect(readCodeAndMessage(reset.payload).code).toBe(ResetCode.PROTOCOL_ERROR);
  await g.send(openFrame(3));
  expect(g.streams.map((s) => s.id)).toEqual([3]);
  expect(g.agent.closed).toBe(false);
  g.agent.close();
});

test("after going away the agent refuses new OPENs and finishes the old ones", async () => {
  const g = rawGateway();
  await g.send(openFrame(1));
  g.agent.goAway(GoAwayCode.RESTARTING);
  await g.send(openFrame(3));
  const reset = g.received.find((f) => f.type === FrameType.RESET && f.streamId === 3)!;
  expect(readCodeAndMessage(reset.payload).code).toBe(ResetCode.REFUSED);
  expect(g.agent.closed).toBe(false);
  await g.send(encodeFrame({ type: FrameType.END, flags: 0, streamId: 1, payload: new Uint8Array() }));
  await g.streams[0]!.end();
  expect(g.agent.closed).toBe(true);
  expect(g.closedWith()).toBeUndefined();
});

test("OPEN ids must be odd and increasing", async () => {
  for (const ids of [[2], [3, 1], [1, 1]]) {
    const g = rawGateway();
    for (const id of ids) await g.send(openFrame(id));
    expect(g.closedWith()?.code).toBe("PROTOCOL_ERROR");
  }
});

test("DATA beyond the window is a protocol error", async () => {
  const g = rawGateway();
  await g.send(openFrame(1));
  const chunk = new Uint8Array(64 * 1024);
  for (let sent = 0; sent < DEFAULT_INITIAL_WINDOW; sent += chunk.byteLength) await g.send(dataFrame(1, chunk));
  expect(g.agent.closed).toBe(false);
  await g.send(dataFrame(1, new Uint8Array(1)));
  expect(g.closedWith()?.code).toBe("PROTOCOL_ERROR");
  const goAway = g.received.find((f) => f.type === FrameType.GO_AWAY)!;
  expect(readCodeAndMessage(goAway.payload).code).toBe(GoAwayCode.PROTOCOL_ERROR);
});

test("frames for a closed stream are ignored", async () => {
  const g = rawGateway();
  await g.send(openFrame(1));
  g.streams[0]!.reset(ResetCode.INTERNAL, "gave up");
  await g.send(dataFrame(1, new Uint8Array([1, 2, 3])));
  await g.send(encodeFrame({ type: FrameType.END, flags: 0, streamId: 1, payload: new Uint8Array() }));
  expect(g.agent.closed).toBe(false);
  g.agent.close();
});
