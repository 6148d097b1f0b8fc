/**
 * A body nested absurdly deep is the caller's mistake, answered 400 at the gateway before
 * anything reaches an agent — not a 502 blaming a healthy agent (the stack overflowed
 * while the gateway encoded the open header).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import { MAX_JSON_DEPTH } from "../../../src/protocol/json.ts";
import { startStack, type Stack } from "../../support/stack.ts";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ profiles: (dir) => `databases:\n  main:\n    adapter: sqlite\n    path: ${join(dir, "main.db")}\n` });
  await stack.addAgent("alpha");
});
afterAll(() => stack.stop());

const query = (params: string) =>
  stack.call("/v1/groups/sales/db/main/query", { method: "POST", body: `{"sql":"select ? as v","params":${params}}` });

test("200,000 nested [ in params is a 400 naming the limit", async () => {
  const response = await query("[".repeat(200_000) + "]".repeat(200_000));
  expect(response.status).toBe(400);
  const { error } = (await response.json()) as { error: { code: string; message: string; retryable: boolean } };
  expect(error).toMatchObject({ code: "BAD_REQUEST", retryable: false });
  expect(error.message).toContain(`more than ${MAX_JSON_DEPTH} levels deep`);
});

test("nesting within the limit, and brackets inside strings, still reach the agent", async () => {
  const inString = await query(`["${"[".repeat(1000)}"]`);
  expect(inString.status).toBe(200);
  expect(((await inString.json()) as { rows: { v: string }[] }).rows[0]!.v).toBe("[".repeat(1000));
  const deep = await stack.call("/v1/groups/sales/db/main/query", {
    method: "POST", body: JSON.stringify({ sql: "select 1 as v", params: [], extra: JSON.parse("[".repeat(MAX_JSON_DEPTH - 1) + "]".repeat(MAX_JSON_DEPTH - 1)) }),
  });
  expect(deep.status).not.toBe(400);
});
