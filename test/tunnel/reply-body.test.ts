/**
 * A reply's body as the gateway reads it: gathered ahead (once, whoever asks), replayed in
 * order, streamed on when it is longer than the limit, and failing with the stream's error.
 */
import { describe, expect, test } from "bun:test";
import { attachSession } from "../../src/tunnel/attach.ts";
import { createMemoryPair } from "../../src/tunnel/memory-connection.ts";
import type { Stream } from "../../src/tunnel/stream.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

/** A gateway-side reply whose agent writes `chunks` (each its own turn), then END or a reset. */
async function replyOf(chunks: string[], end: "end" | "reset" = "end") {
  const pair = createMemoryPair();
  attachSession(pair.agent, {
    role: "agent",
    keepalive: false,
    onStream: (stream: Stream) =>
      void (async () => {
        await stream.writeReplyHead({ ok: true, meta: { status: 200, headers: [] } });
        for (const chunk of chunks) {
          await stream.write(bytes(chunk));
          await new Promise((resolve) => setTimeout(resolve, 1));
        }
        if (end === "end") await stream.end();
        else stream.reset(3, "agent gone");
      })(),
  });
  const gateway = attachSession(pair.gateway, { role: "gateway", keepalive: false });
  const stream = gateway.open({ op: "db.query", profile: "p", args: {}, requestId: "r", deadline: Date.now() + 10_000 });
  await stream.end();
  return (await stream.readReplyHead()).body;
}

describe("ReplyBody", () => {
  test("a body under the limit comes back whole, and a second gather only continues the first", async () => {
    const body = await replyOf(['{"rows":', "[1,2]", "}"]);
    const first = await body.gather(4);
    expect(first).toEqual({ longer: true });
    const second = await body.gather(64);
    expect("complete" in second && new TextDecoder().decode(second.complete)).toBe('{"rows":[1,2]}');
  });

  test("a body over the limit streams on with every byte in order, gathered bytes first", async () => {
    const body = await replyOf(["aaaa", "bbbb", "cccc", "dd"]);
    expect(await body.gather(6)).toEqual({ longer: true });
    let counted = 0;
    expect(await new Response(body.stream((n) => (counted += n))).text()).toBe("aaaabbbbccccdd");
    expect(counted).toBe(14);
  });

  test("a body that fails while gathered throws the stream's error: nothing reached the caller yet", async () => {
    const body = await replyOf(["partial"], "reset");
    const failure = await body.gather(1024).then(() => undefined, (error: { code?: string }) => error);
    expect(failure?.code).toBe("STREAM_RESET");
  });
});
