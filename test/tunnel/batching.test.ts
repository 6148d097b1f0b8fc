/**
 * Frame batching (SPEC "Messages"): what one side writes in one turn of the event loop —
 * across the awaits of a reply's head, body and END — leaves as one WebSocket message, so a
 * small answer costs one TLS record and one syscall, not one per frame.
 */
import { expect, test } from "bun:test";
import type { Connection } from "../../src/tunnel/connection.ts";
import { attachSession } from "../../src/tunnel/attach.ts";
import { createMemoryPair } from "../../src/tunnel/memory-connection.ts";
import type { Stream } from "../../src/tunnel/stream.ts";

/** The same connection, counting the messages sent through it. */
function counted(connection: Connection): { connection: Connection; sent: () => number } {
  let sent = 0;
  const transport = connection.transport;
  const wrapped: Connection = {
    transport: {
      send(frame) {
        sent++;
        transport.send(frame);
      },
      get bufferedAmount() {
        return transport.bufferedAmount;
      },
      close: (code, reason) => transport.close(code, reason),
    },
    listen: (listener) => connection.listen(listener),
  };
  return { connection: wrapped, sent: () => sent };
}

test("a reply written across several awaits (head, body, END) leaves as one message", async () => {
  const pair = createMemoryPair();
  const agentSide = counted(pair.agent);
  const answered = new Promise<void>((resolve) => {
    const onStream = async (stream: Stream) => {
      await stream.writeReplyHead({ ok: true, meta: { status: 200, headers: [] } });
      await stream.write(new TextEncoder().encode('{"columns":[],"rows":['));
      await stream.write(new TextEncoder().encode("]}"));
      await stream.end();
      resolve();
    };
    attachSession(agentSide.connection, { role: "agent", keepalive: false, onStream: (stream) => void onStream(stream) });
  });
  const gateway = attachSession(pair.gateway, { role: "gateway", keepalive: false });
  const stream = gateway.open({ op: "db.query", profile: "p", args: {}, requestId: "r1", deadline: Date.now() + 10_000 });
  await stream.end();
  await answered;
  const reply = await stream.readReplyHead();
  expect(await new Response(reply.body.stream()).text()).toBe('{"columns":[],"rows":[]}');
  expect(agentSide.sent()).toBe(1);
  gateway.close();
});
