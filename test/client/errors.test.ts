/** Failed calls through a real stack become typed OutpostErrors with the gateway's code, status and request id. */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import {
  OutpostAuthError,
  OutpostError,
  OutpostNotFoundError,
  OutpostPermissionError,
  OutpostUnavailableError,
} from "../../src/client/index.ts";
import { startStack, type Stack } from "../support/stack.ts";
import { clientFor } from "./support.ts";

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ profiles: (dir) => `databases:\n  main:\n    adapter: sqlite\n    path: ${join(dir, "main.db")}\n` });
  await stack.addAgent("alpha");
});

afterAll(async () => {
  await stack.stop();
});

async function failure(promise: Promise<unknown>): Promise<OutpostError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(OutpostError);
  return error as OutpostError;
}

test("an unknown profile is a 404 OutpostNotFoundError", async () => {
  const error = await failure(clientFor(stack).group("sales").db("nope").query("select 1"));
  expect(error).toBeInstanceOf(OutpostNotFoundError);
  expect(error).toMatchObject({ status: 404, code: "NOT_FOUND", retryable: false });
  expect(error.requestId).toBeTruthy();
});

test("a group outside the token's scope is a 403 OutpostPermissionError", async () => {
  await stack.admin.createGroup("elsewhere");
  const error = await failure(clientFor(stack).group("elsewhere").db("main").query("select 1"));
  expect(error).toBeInstanceOf(OutpostPermissionError);
  expect(error).toMatchObject({ status: 403, code: "FORBIDDEN", retryable: false });
});

test("a wrong token is a 401 OutpostAuthError whose message holds no secret", async () => {
  const error = await failure(clientFor(stack, { token: "opt_not-a-real-token" }).group("sales").db("main").query("select 1"));
  expect(error).toBeInstanceOf(OutpostAuthError);
  expect(error).toMatchObject({ status: 401, code: "UNAUTHENTICATED" });
  expect(error.message).not.toContain("opt_not-a-real-token");
});

test("a HEAD answer without a body still gives the right code and request id", async () => {
  const error = await failure(clientFor(stack).group("sales").files("nope").stat("a.txt", { requestId: "stat-1" }));
  expect(error).toBeInstanceOf(OutpostNotFoundError);
  expect(error).toMatchObject({ status: 404, code: "NOT_FOUND", requestId: "stat-1" });
});

test("a gateway nobody listens on is a retryable NETWORK error", async () => {
  const client = clientFor(stack, { url: "https://127.0.0.1:1", retries: 0 });
  const error = await failure(client.group("sales").db("main").query("select 1"));
  expect(error).toBeInstanceOf(OutpostUnavailableError);
  expect(error).toMatchObject({ code: "NETWORK", retryable: true, status: 0 });
});

test("an untrusted certificate fails the call (no CA given)", async () => {
  const client = clientFor(stack, { ca: undefined, retries: 0 });
  const error = await failure(client.group("sales").db("main").query("select 1"));
  expect(error.code).toBe("NETWORK");
});

test("an aborted call is ABORTED, not a network failure", async () => {
  const controller = new AbortController();
  controller.abort();
  const error = await failure(clientFor(stack).group("sales").db("main").query("select 1", [], { signal: controller.signal }));
  expect(error.code).toBe("ABORTED");
});
