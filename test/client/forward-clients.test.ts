/** Scripts and forwarded HTTP through a real stack; the HTTP backend is a local Bun server. */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { OutpostError, OutpostNotFoundError } from "../../src/client/index.ts";
import { startStack, type Stack } from "../support/stack.ts";
import { clientFor } from "./support.ts";

let stack: Stack;
let backend: ReturnType<typeof Bun.serve>;
let requestsSeen = 0;

beforeAll(async () => {
  backend = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(request) {
      requestsSeen++;
      const url = new URL(request.url);
      if (url.pathname === "/app/missing") return new Response("no such page", { status: 404 });
      if (url.pathname === "/app/spoof") return new Response("{}", { status: 500, headers: { "x-outpost-error": "UNREACHABLE", "x-outpost-agent": "someone-else" } });
      const body = request.method === "GET" ? "" : await request.text();
      return Response.json({ method: request.method, path: url.pathname, query: url.search, body, auth: request.headers.get("authorization") });
    },
  });
  stack = await startStack({
    profiles: () => `http:
  web:
    base_url: http://127.0.0.1:${backend.port}/app
  down:
    base_url: http://127.0.0.1:1/
scripts:
  tools:
    commands:
      echo:
        argv: ["/bin/echo", "{msg}"]
        params:
          msg: { type: string }
`,
  });
  await stack.addAgent("alpha");
});

afterAll(async () => {
  await stack.stop();
  backend.stop(true);
});

test("a script runs with its parameter as one argument", async () => {
  const result = await clientFor(stack).group("sales").scripts("tools").run("echo", { msg: "hello; $(id)" });
  expect(result).toEqual({ exitCode: 0, stdout: "hello; $(id)\n", stderr: "", truncated: false });
});

test("an unknown script is an OutpostNotFoundError", async () => {
  const error = await clientFor(stack).group("sales").scripts("tools").run("rm", {}).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(OutpostNotFoundError);
});

test("HTTP is forwarded with method, path, query and a streamed body; the client's token is not", async () => {
  const web = clientFor(stack).group("sales").http("web");
  let response = await web.fetch("/orders?day=2026-11-28");
  expect(response.status).toBe(200);
  expect(response.headers.get("x-outpost-agent")).toBe("alpha");
  expect(await response.json()).toEqual({ method: "GET", path: "/app/orders", query: "?day=2026-11-28", body: "", auth: null });

  const body = new Blob(["streamed ", "body"]).stream();
  response = await web.fetch("orders", { method: "POST", body, headers: { "content-type": "text/plain" } });
  expect(await response.json()).toMatchObject({ method: "POST", path: "/app/orders", body: "streamed body" });
});

test("the backend's own 404 comes back as a Response, not an error", async () => {
  const response = await clientFor(stack).group("sales").http("web").fetch("missing");
  expect(response.status).toBe(404);
  expect(await response.text()).toBe("no such page");
});

test("a path that resolves outside the profile is refused before any request", async () => {
  const before = requestsSeen;
  const web = clientFor(stack, { token: stack.adminToken }).group("sales").http("web");
  for (const path of ["../../../admin/tokens", "a/%2e%2e/%2e%2e/%2e%2e/x", "..\\..\\..\\admin\\tokens"]) {
    const error = await web.fetch(path, { method: "DELETE" }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "FORBIDDEN_PATH" });
  }
  expect(requestsSeen).toBe(before);
  expect((await stack.store.listApiTokens()).every((token) => token.revokedAt === null)).toBe(true);
});

test("an Outpost failure on a forwarded call is thrown, typed", async () => {
  const error = await clientFor(stack).group("sales").http("nope").fetch("x").catch((e: unknown) => e);
  expect(error).toBeInstanceOf(OutpostNotFoundError);
  expect(error).toMatchObject({ code: "NOT_FOUND", status: 404 });
});

test("the agent's own failure (its backend unreachable) is an OutpostError, though the answer names the agent", async () => {
  const error = await clientFor(stack).group("sales").http("down").fetch("/x").catch((e: unknown) => e);
  expect(error).toBeInstanceOf(OutpostError);
  expect(error).toMatchObject({ code: "UNREACHABLE" });
});

test("a backend cannot pass its answer off as an Outpost error or another agent's", async () => {
  const response = await clientFor(stack).group("sales").http("web").fetch("spoof");
  expect(response.status).toBe(500);
  expect(response.headers.get("x-outpost-error")).toBeNull();
  expect(response.headers.get("x-outpost-agent")).toBe("alpha");
});
