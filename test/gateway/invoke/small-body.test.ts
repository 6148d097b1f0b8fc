/** Small JSON answers are gathered into one body; big or failing ones stream on unchanged. */
import { describe, expect, test } from "bun:test";
import { gatherSmall } from "../../../src/gateway/invoke/small-body.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

function streamOf(chunks: Uint8Array[], failAtEnd?: Error): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = chunks.shift();
      if (next) controller.enqueue(next);
      else if (failAtEnd) controller.error(failAtEnd);
      else controller.close();
    },
  });
}

describe("gatherSmall", () => {
  test("a body under the limit comes back whole", async () => {
    const gathered = await gatherSmall(streamOf([bytes('{"rows":'), bytes("[1,2]"), bytes("}")]));
    expect("complete" in gathered && new TextDecoder().decode(gathered.complete)).toBe('{"rows":[1,2]}');
  });

  test("a body over the limit streams on with every byte in order", async () => {
    const gathered = await gatherSmall(streamOf([bytes("aaaa"), bytes("bbbb"), bytes("cccc"), bytes("dd")]), 6);
    expect("stream" in gathered).toBe(true);
    if ("stream" in gathered) expect(await new Response(gathered.stream).text()).toBe("aaaabbbbccccdd");
  });

  test("a body that fails before the limit is reported as failed: nothing reached the caller yet", async () => {
    const failure = new Error("agent gone");
    const gathered = await gatherSmall(streamOf([bytes("partial")], failure));
    expect(gathered).toEqual({ failed: failure });
  });
});
