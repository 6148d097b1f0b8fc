/**
 * Session behaviour, run over every link in `support/links.ts` (in-memory and real TLS
 * WebSocket), in the manner of yamux's session tests.
 */
import { afterEach, describe, expect, test } from "bun:test";
import {
  DEFAULT_INITIAL_WINDOW, DEFAULT_MAX_FRAME, GoAwayCode, ResetCode, dataFrame, type OpenHeader,
} from "../../src/protocol/index.ts";
import { attachSession } from "../../src/tunnel/attach.ts";
import { TunnelError } from "../../src/tunnel/errors.ts";
import { DEFAULT_KEEPALIVE, type Session, type SessionOptions } from "../../src/tunnel/session.ts";
import type { Stream } from "../../src/tunnel/stream.ts";
import { LINKS, type LinkPair } from "./support/links.ts";
import { ManualClock } from "./support/manual-clock.ts";

const header = (n = 0): OpenHeader => ({ op: "echo", profile: "test", args: { n }, requestId: `r-${n}`, deadline: Date.now() + 60_000 });

async function readAll(readable: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(readable).arrayBuffer());
}

function until(predicate: () => boolean, what: string, timeoutMs = 4_000): Promise<void> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const check = () => {
      if (predicate()) return resolve();
      if (Date.now() - started > timeoutMs) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(check, 5);
    };
    check();
  });
}

type Side = Omit<SessionOptions, "transport" | "role">;

for (const link of LINKS) {
  describe(`session over ${link.name}`, () => {
    let pair: LinkPair | undefined;
    const sessions: Session[] = [];

    async function connect(gatewayOptions: Side = {}, agentOptions: Side = {}) {
      pair = await link.create();
      const gateway = attachSession(pair.gateway, { role: "gateway", keepalive: false, ...gatewayOptions });
      const agent = attachSession(pair.agent, { role: "agent", keepalive: false, ...agentOptions });
      sessions.push(gateway, agent);
      return { gateway, agent, pair };
    }

    afterEach(() => {
      for (const session of sessions.splice(0)) session.close();
      pair?.stop();
      pair = undefined;
    });

    const echo = (stream: Stream) => void stream.readable.pipeTo(stream.writable).catch(() => {});

    test("1,000 concurrent streams echo their data", async () => {
      const { gateway } = await connect({}, { onStream: echo });
      const results = await Promise.all(
        Array.from({ length: 1000 }, async (_, i) => {
          const size = i % 100 === 0 ? 300_000 : 1 + ((i * 7919) % 9000);
          const data = new Uint8Array(size).map((_, j) => (i + j) & 0xff);
          const stream = gateway.open(header(i));
          const [echoed] = await Promise.all([readAll(stream.readable), stream.write(data).then(() => stream.end())]);
          await stream.closed;
          return Buffer.from(echoed).equals(Buffer.from(data));
        }),
      );
      expect(results.every(Boolean)).toBe(true);
      expect(gateway.activeStreams).toBe(0);
    }, 60_000);

    test("a reader that stops reading blocks the writer after one window", async () => {
      let agentStream: Stream | undefined;
      const { gateway } = await connect({}, { onStream: (s) => (agentStream = s) });
      const stream = gateway.open(header());
      let written = 0;
      const chunk = new Uint8Array(16 * 1024);
      const total = 4 * DEFAULT_INITIAL_WINDOW;
      const writing = (async () => {
        while (written < total) {
          await stream.write(chunk);
          written += chunk.byteLength;
        }
        await stream.end();
      })();
      await until(() => agentStream !== undefined && agentStream.bufferedBytes >= DEFAULT_INITIAL_WINDOW, "a full window");
      await Bun.sleep(100); // give a misbehaving writer time to overshoot
      expect(written).toBeLessThanOrEqual(DEFAULT_INITIAL_WINDOW + DEFAULT_MAX_FRAME);
      expect(agentStream!.bufferedBytes).toBeLessThanOrEqual(DEFAULT_INITIAL_WINDOW);
      const received = await readAll(agentStream!.readable);
      await writing;
      expect(received.byteLength).toBe(total);
    });

    test("a reset propagates both ways and aborts the signals", async () => {
      const opened: Stream[] = [];
      const { gateway } = await connect({}, { onStream: (s) => opened.push(s) });

      const first = gateway.open(header(1));
      await first.write(new Uint8Array([1]));
      await until(() => opened.length === 1, "the first stream");
      first.reset(ResetCode.CANCELLED, "caller left");
      expect(first.signal.aborted).toBe(true);
      await until(() => opened[0]!.signal.aborted, "the agent's signal");
      expect((opened[0]!.signal.reason as TunnelError).code).toBe("CANCELLED");
      await opened[0]!.closed;
      expect(opened[0]!.write(new Uint8Array([1]))).rejects.toBeInstanceOf(TunnelError);

      const second = gateway.open(header(2));
      await second.write(new Uint8Array([2]));
      await until(() => opened.length === 2, "the second stream");
      await opened[1]!.writeReplyHead({ ok: true });
      opened[1]!.reset(ResetCode.APPLICATION, JSON.stringify({ code: "QUERY_FAILED", message: "boom", retryable: false }));
      await until(() => second.signal.aborted, "the gateway's signal");
      const reason = second.signal.reason as TunnelError;
      expect(reason.code).toBe("STREAM_RESET");
      expect(reason.remote).toEqual({ code: "QUERY_FAILED", message: "boom", retryable: false });
      expect(readAll(second.readable)).rejects.toBeInstanceOf(TunnelError);
      await second.closed;
      await until(() => gateway.activeStreams === 0, "no active streams");
    });

    test("cancelling the readable resets the stream for the peer", async () => {
      const opened: Stream[] = [];
      const { gateway } = await connect({}, { onStream: (s) => opened.push(s) });
      const stream = gateway.open(header());
      await until(() => opened.length === 1, "the stream");
      await stream.readable.cancel();
      expect((stream.signal.reason as TunnelError).code).toBe("CANCELLED");
      await until(() => opened[0]!.signal.aborted, "the agent's signal");
      expect((opened[0]!.signal.reason as TunnelError).code).toBe("CANCELLED");
    });

    test("frames for a stream that was never opened are a protocol error", async () => {
      let gatewayError: TunnelError | undefined;
      const { pair: link } = await connect({ onClose: (error) => (gatewayError = error) });
      link.agent.transport.send(dataFrame(99, new Uint8Array([1])));
      await until(() => gatewayError !== undefined, "the gateway to close");
      expect(gatewayError!.code).toBe("PROTOCOL_ERROR");
    });

    test("reply heads: head first, body after", async () => {
      const { gateway } = await connect({}, {
        onStream: async (s) => {
          await s.writeReplyHead({ ok: true, meta: { rows: 2 } });
          await s.write(new TextEncoder().encode('{"a":1}\n{"a":2}\n'));
          await s.end();
        },
      });
      const stream = gateway.open(header());
      await stream.end();
      const { head, body } = await stream.readReplyHead();
      expect(head).toEqual({ ok: true, meta: { rows: 2 } });
      expect(new TextDecoder().decode(await readAll(body.stream()))).toBe('{"a":1}\n{"a":2}\n');
    });

    test("go-away stops new opens while in-flight streams finish", async () => {
      const opened: Stream[] = [];
      const goAways: number[] = [];
      let gatewayClosed = false;
      const { gateway, agent } = await connect(
        { onGoAway: (code) => goAways.push(code), onClose: (error) => (gatewayClosed = error === undefined) },
        { onStream: (s) => opened.push(s) },
      );
      const streams = [gateway.open(header(1)), gateway.open(header(2))];
      for (const s of streams) await s.end();
      await until(() => opened.length === 2, "both streams");
      agent.goAway(GoAwayCode.RESTARTING, "upgrading");
      await until(() => goAways.length === 1, "GO_AWAY at the gateway");
      expect(goAways[0]).toBe(GoAwayCode.RESTARTING);
      expect(() => gateway.open(header(3))).toThrow(TunnelError);
      expect(agent.closed).toBe(false);
      const replies = streams.map((s) => readAll(s.readable));
      for (const s of opened) {
        await s.write(new Uint8Array([s.id]));
        await s.end();
      }
      expect((await Promise.all(replies)).map((r) => r[0])).toEqual(streams.map((s) => s.id));
      await until(() => gateway.closed && agent.closed, "both sessions to close");
      expect(gatewayClosed).toBe(true);
    });

    test("a bad frame closes with GO_AWAY PROTOCOL_ERROR", async () => {
      let gatewayError: TunnelError | undefined;
      let agentError: TunnelError | undefined;
      const goAways: number[] = [];
      const { pair: link } = await connect(
        { onClose: (error) => (gatewayError = error) },
        { onGoAway: (code) => goAways.push(code), onClose: (error) => (agentError = error) },
      );
      link.agent.transport.send(new Uint8Array([1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])); // DATA on stream 0
      await until(() => gatewayError !== undefined && agentError !== undefined, "both sides to close");
      expect(gatewayError!.code).toBe("PROTOCOL_ERROR");
      expect(goAways).toEqual([GoAwayCode.PROTOCOL_ERROR]);
      expect(agentError!.code).toBe("PROTOCOL_ERROR");
    });

    test("ping measures a round trip", async () => {
      const { gateway, agent } = await connect();
      expect(await gateway.ping()).toBeGreaterThanOrEqual(0);
      expect(await agent.ping()).toBeGreaterThanOrEqual(0);
    });

    test("keepalive keeps a healthy idle link open", async () => {
      const clock = new ManualClock();
      const { gateway, agent } = await connect({ keepalive: DEFAULT_KEEPALIVE, clock }, { keepalive: DEFAULT_KEEPALIVE, clock });
      for (let elapsed = 0; elapsed < 30_000; elapsed += 500) {
        clock.advance(500);
        // Each side hears from the other once per step, however slow the machine is in real time.
        await Promise.all([gateway.ping(), agent.ping()]);
      }
      expect(gateway.closed || agent.closed).toBe(false);
    });
  });
}

describe("keepalive over a black-holed link", () => {
  test("both sides detect the dead link within 5 s (default settings, virtual time)", async () => {
    const pair = await LINKS[0]!.create();
    const clock = new ManualClock();
    const errors: Array<TunnelError | undefined> = [];
    const options = { keepalive: DEFAULT_KEEPALIVE, clock, onClose: (e?: TunnelError) => errors.push(e) };
    const gateway = attachSession(pair.gateway, { role: "gateway", ...options });
    const agent = attachSession(pair.agent, { role: "agent", ...options });
    const stream = gateway.open(header());
    await Bun.sleep(2);
    pair.blackhole!();
    for (let elapsed = 0; elapsed < 5_000 && !(gateway.closed && agent.closed); elapsed += 100) {
      clock.advance(100);
      await Bun.sleep(1);
    }
    expect(gateway.closed && agent.closed).toBe(true);
    expect(errors.map((e) => e?.code)).toEqual(["LINK_DEAD", "LINK_DEAD"]);
    expect((stream.signal.reason as TunnelError).code).toBe("LINK_DEAD");
  });
});
