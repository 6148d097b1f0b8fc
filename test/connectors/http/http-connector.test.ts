/** @module The HTTP connector against real local servers: path confinement, redirects, hop-by-hop headers, streaming, TLS, timeouts. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createServer, type Server as NetServer } from "node:net";
import { createCallContext } from "../../../src/connectors/context.ts";
import { ConnectorError } from "../../../src/connectors/errors.ts";
import { ForwardingHttpConnector } from "../../../src/connectors/http/http-connector.ts";
import { createTestCa } from "../../support/certs.ts";
import { freePort } from "../../support/ports.ts";
import { failure } from "../../support/failure.ts";

const seen: { method: string; path: string; headers: Record<string, string> }[] = [];
let app: ReturnType<typeof Bun.serve>;
let elsewhere: ReturnType<typeof Bun.serve>;
let elsewhereHits = 0;
let raw: NetServer;
let rawPort = 0;

const ctx = () => createCallContext({ timeoutMs: 30_000 });
const connector = (options: Partial<ConstructorParameters<typeof ForwardingHttpConnector>[0]> = {}) =>
  new ForwardingHttpConnector({ baseUrl: `http://127.0.0.1:${app.port}/api`, ...options });

beforeAll(async () => {
  let count = 0;
  elsewhere = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => (elsewhereHits++, new Response("elsewhere")) });
  app = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(request) {
      const url = new URL(request.url);
      seen.push({ method: request.method, path: url.pathname + url.search, headers: Object.fromEntries(request.headers) });
      switch (url.pathname) {
        case "/api/echo":
          return new Response(request.body, { status: 201, headers: { "x-method": request.method } });
        case "/api/count": {
          let bytes = 0;
          for await (const chunk of request.body!) bytes += chunk.byteLength;
          return Response.json({ bytes });
        }
        case "/api/big":
          return new Response(
            new ReadableStream({
              pull(controller) {
                controller.enqueue(new Uint8Array(64 * 1024).fill(1));
                if (++count >= 64) controller.close();
              },
            }),
          );
        case "/api/to-inside":
          return Response.redirect(`http://127.0.0.1:${app.port}/api/echo?from=redirect`, 302);
        case "/api/to-elsewhere":
          return Response.redirect(`http://127.0.0.1:${elsewhere.port}/api/echo`, 302);
        case "/api/to-root":
          return Response.redirect("/admin", 301);
        case "/api/go":
          // Answers with whatever Location the test asks for, verbatim.
          return new Response(null, { status: 302, headers: { location: url.searchParams.get("to")! } });
        case "/api/slow":
          await Bun.sleep(5_000);
          return new Response("late");
        default:
          return new Response(`path ${url.pathname}`);
      }
    },
  });
  // A raw server, so the response can carry hop-by-hop headers Bun.serve would rewrite.
  rawPort = await freePort();
  raw = createServer((socket) => {
    socket.once("data", () => {
      socket.end(
        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close, X-Drop-Me\r\nKeep-Alive: timeout=5\r\n" +
          "Proxy-Authenticate: Basic\r\nX-Drop-Me: 1\r\nUpgrade: h2c\r\nX-Keep: yes\r\n\r\nok",
      );
    });
  }).listen(rawPort, "127.0.0.1");
});

afterAll(() => {
  app.stop(true);
  elsewhere.stop(true);
  raw.close();
});

describe("http: forwarding", () => {
  test("forwards method, path, query and headers; profile headers are defaults", async () => {
    const http = connector({ headers: { "x-api-key": "profile-key", "x-default": "d" } });
    const response = await http.forward({ method: "GET", path: "orders/7?full=1", headers: [["x-default", "caller"]], body: null }, ctx());
    expect(response.status).toBe(200);
    expect(await new Response(response.body).text()).toBe("path /api/orders/7");
    const last = seen.at(-1)!;
    expect(last.path).toBe("/api/orders/7?full=1");
    expect(last.headers["x-api-key"]).toBe("profile-key");
    expect(last.headers["x-default"]).toBe("caller");
  });

  const escapes = [
    `http://127.0.0.1:${9}/x`,
    "https://example.com/",
    "//example.com/x",
    "///example.com/x",
    "http:example.com",
    "javascript:alert(1)",
    "../admin",
    "a/../../admin",
    "%2e%2e/admin",
    "%2E./admin",
    ".%2e/admin",
    "%252e%252e/admin",
    "a/..%2fadmin",
    "..%2Fadmin",
    "./x",
    "a\\..\\admin",
    "%5c..%5cadmin",
    "..;/admin/users",
    "x/..;/..;/manager/html",
    "..;x=1/admin",
    ".;/admin",
    "%2e%2e;/admin",
    "..%3b/admin",
    "..%253b/admin",
    "\\\\example.com\\x",
    "a%00b",
    "a\nHost: evil",
    "%",
  ];
  test(`${escapes.length} attempts to leave base_url are FORBIDDEN_PATH and reach no server`, async () => {
    const http = connector();
    const before = seen.length;
    for (const path of escapes) {
      const error = await failure(http.forward({ method: "GET", path, headers: [], body: null }, ctx()));
      expect({ path, code: error.code }).toEqual({ path, code: "FORBIDDEN_PATH" });
    }
    expect(seen.length).toBe(before);
  });

  test("a path parameter on an ordinary segment still passes", async () => {
    const response = await connector().forward({ method: "GET", path: "orders;jsessionid=x/7", headers: [], body: null }, ctx());
    expect(await new Response(response.body).text()).toBe("path /api/orders;jsessionid=x/7");
  });

  test("userinfo-looking text stays a path on the same host", async () => {
    const response = await connector().forward({ method: "GET", path: "@example.com/x", headers: [], body: null }, ctx());
    expect(await new Response(response.body).text()).toBe("path /api/@example.com/x");
  });

  test("redirects are followed under base_url only", async () => {
    const http = connector();
    const inside = await http.forward({ method: "GET", path: "to-inside", headers: [], body: null }, ctx());
    expect([inside.status, seen.at(-1)!.path]).toEqual([201, "/api/echo?from=redirect"]);
    await inside.body?.cancel();
    const other = await failure(http.forward({ method: "GET", path: "to-elsewhere", headers: [], body: null }, ctx()));
    expect([other.code, elsewhereHits]).toEqual(["FORBIDDEN_PATH", 0]);
    expect((await failure(http.forward({ method: "GET", path: "to-root", headers: [], body: null }, ctx()))).code).toBe("FORBIDDEN_PATH");
  });

  test("every redirect target gets the caller's path checks; a failing one is never requested, even with the profile's headers", async () => {
    const origin = `http://127.0.0.1:${app.port}`;
    const evil = [
      "/api/..;/outside",
      "/api/x/..;/..;/outside",
      "/api/..;x=1/outside",
      "/api/%2e%2e%2foutside",
      "/api/%2e%2e;/outside",
      "/api/..%3b/outside",
      "/api/%252e%252e%252foutside",
      "/api/..%2foutside",
      "/api/%5c..%5coutside",
      "/api/..%5coutside",
      "/api\\..\\outside",
      "/api/sub/../../outside",
      "/api/.%2e/outside",
      "..;/outside",
      "%2e%2e%2foutside",
      `${origin}/api/..;/outside`,
      `${origin}/api/%2e%2e%2foutside`,
      "/api/%",
    ];
    const http = connector({ headers: { authorization: "Bearer profile-secret" } });
    const before = seen.length;
    for (const location of evil) {
      const error = await failure(http.forward({ method: "GET", path: `go?to=${encodeURIComponent(location)}`, headers: [], body: null }, ctx()));
      expect({ location, code: error.code, redirect: error.message.includes("redirect") }).toEqual({ location, code: "FORBIDDEN_PATH", redirect: true });
    }
    const requested = seen.slice(before).map((request) => request.path);
    expect(requested.length).toBe(evil.length);
    expect(requested.filter((path) => !path.startsWith("/api/go?"))).toEqual([]);
  });

  test("a plain redirect under base_url still carries the profile's headers", async () => {
    const http = connector({ headers: { authorization: "Bearer profile-secret" } });
    const response = await http.forward({ method: "GET", path: `go?to=${encodeURIComponent("/api/orders;jsessionid=x/7?page=2")}`, headers: [], body: null }, ctx());
    expect(await new Response(response.body).text()).toBe("path /api/orders;jsessionid=x/7");
    expect([seen.at(-1)!.path, seen.at(-1)!.headers.authorization]).toEqual(["/api/orders;jsessionid=x/7?page=2", "Bearer profile-secret"]);
  });

  test("hop-by-hop headers are stripped both ways", async () => {
    const http = connector();
    await http.forward({
      method: "GET",
      path: "hops",
      headers: [["connection", "x-secret-hop"], ["x-secret-hop", "1"], ["keep-alive", "300"], ["proxy-authorization", "Basic eA=="], ["te", "trailers"], ["host", "evil.example"], ["x-end-to-end", "kept"]],
      body: null,
    }, ctx());
    const got = seen.at(-1)!.headers;
    expect(got["x-secret-hop"]).toBeUndefined();
    expect(got["proxy-authorization"]).toBeUndefined();
    expect(got["keep-alive"]).toBeUndefined();
    expect(got["te"]).toBeUndefined();
    expect(got["host"]).toBe(`127.0.0.1:${app.port}`);
    expect(got["x-end-to-end"]).toBe("kept");

    const rawHttp = new ForwardingHttpConnector({ baseUrl: `http://127.0.0.1:${rawPort}/` });
    const response = await rawHttp.forward({ method: "GET", path: "", headers: [], body: null }, ctx());
    const names = response.headers.map(([name]) => name.toLowerCase());
    for (const hop of ["connection", "keep-alive", "proxy-authenticate", "x-drop-me", "upgrade"]) expect(names).not.toContain(hop);
    expect(names).toContain("x-keep");
    expect(await new Response(response.body).text()).toBe("ok");
  });

  test("request and response bodies stream", async () => {
    const http = connector();
    let sent = 0;
    const upload = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ >= 80) return controller.close();
        controller.enqueue(new Uint8Array(64 * 1024).fill(2));
      },
    });
    const counted = await http.forward({ method: "POST", path: "count", headers: [["content-type", "application/octet-stream"]], body: upload }, ctx());
    expect(await new Response(counted.body).json()).toEqual({ bytes: 80 * 64 * 1024 });

    const echoed = await http.forward({ method: "PUT", path: "echo", headers: [["content-length", "10"]], body: new Response("round trip").body }, ctx());
    expect([echoed.status, await new Response(echoed.body).text()]).toEqual([201, "round trip"]);
    expect(seen.at(-1)!.headers["content-length"]).toBe("10");

    const big = await http.forward({ method: "GET", path: "big", headers: [], body: null }, ctx());
    let chunks = 0;
    let bytes = 0;
    for await (const chunk of big.body!) (chunks++, (bytes += chunk.byteLength));
    expect([bytes, chunks > 1]).toEqual([64 * 64 * 1024, true]);
  });

  test("an unreachable backend is UNREACHABLE and retryable", async () => {
    const http = new ForwardingHttpConnector({ baseUrl: `http://127.0.0.1:${await freePort()}/` });
    const error = await failure(http.forward({ method: "GET", path: "", headers: [], body: null }, ctx()));
    expect([error.code, error.retryable]).toEqual(["UNREACHABLE", true]);
  });

  test("a backend that does not answer in time is TIMEOUT; a cancelled call is CANCELLED", async () => {
    const slow = connector({ connectTimeoutMs: 200 });
    expect((await failure(slow.forward({ method: "GET", path: "slow", headers: [], body: null }, ctx()))).code).toBe("TIMEOUT");
    const caller = new AbortController();
    const call = createCallContext({ signal: caller.signal, timeoutMs: 30_000 });
    const pending = connector().forward({ method: "GET", path: "slow", headers: [], body: null }, call);
    setTimeout(() => caller.abort(), 100);
    expect((await failure(pending)).code).toBe("CANCELLED");
  });
});

describe("http: TLS", () => {
  const ca = createTestCa();
  const leaf = ca.issue("backend");
  let https: ReturnType<typeof Bun.serve>;
  beforeAll(() => {
    https = Bun.serve({ port: 0, hostname: "127.0.0.1", tls: { cert: leaf.certPem, key: leaf.keyPem }, fetch: () => new Response("secure") });
  });
  afterAll(() => https.stop(true));

  test("verification is on by default: an unknown CA fails, not retryable", async () => {
    const http = new ForwardingHttpConnector({ baseUrl: `https://localhost:${https.port}/` });
    const error = await failure(http.forward({ method: "GET", path: "", headers: [], body: null }, ctx()));
    expect([error.code, error.retryable]).toEqual(["UNREACHABLE", false]);
  });

  test("the profile's CA makes it work", async () => {
    const http = new ForwardingHttpConnector({ baseUrl: `https://localhost:${https.port}/`, tls: { ca: ca.certPem } });
    const response = await http.forward({ method: "GET", path: "", headers: [], body: null }, ctx());
    expect(await new Response(response.body).text()).toBe("secure");
  });
});
