/**
 * Abuse of the caller API on a real TLS stack (gateway and agent in-process): malformed
 * JSON, wrong types, huge bodies and headers, unknown operations, and path and host
 * escapes through URL encoding on a files and an http profile, sent as raw bytes so no
 * client normalises them first. The promises: a clear 4xx error (never a 500, never a
 * crash), nothing outside the files base is read, nothing but the profile's base URL is
 * called.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Server } from "bun";
import { startStack, type Stack } from "../support/stack.ts";
import { metric } from "./support/measure.ts";
import { rawRequest } from "./support/raw-http.ts";

const SECRET = "TOP-SECRET-OUTSIDE-THE-BASE";
let stack: Stack;
let upstream: Server<undefined>;
let evil: Server<undefined>;
const upstreamPaths: string[] = [];
let evilHits = 0;

beforeAll(async () => {
  upstream = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: (request) => {
    upstreamPaths.push(request.url.slice(request.url.indexOf("/", 8)));
    return new Response("upstream ok");
  } });
  evil = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => {
    evilHits++;
    return new Response(SECRET);
  } });
  stack = await startStack({
    profiles: (dir) => {
      mkdirSync(join(dir, "share", "sub"), { recursive: true });
      writeFileSync(join(dir, "secret.txt"), SECRET);
      writeFileSync(join(dir, "share", "ok.txt"), "fine");
      symlinkSync(join(dir, "secret.txt"), join(dir, "share", "link-out"));
      return `databases:\n  main:\n    adapter: sqlite\n    path: '${dir}/main.db'\n` +
        `files:\n  share:\n    base: '${dir}/share'\n` +
        `http:\n  web:\n    base_url: 'http://127.0.0.1:${upstream.port}/api/'\n`;
    },
  });
  await stack.addAgent("alpha");
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  upstream?.stop(true);
  evil?.stop(true);
});

const raw = (method: string, path: string, headers: Record<string, string> = {}, body = "") =>
  rawRequest(stack.gateway.port, stack.ca.certPem, method, path, { authorization: `Bearer ${stack.token}`, ...headers }, body);

async function stillHealthy(): Promise<void> {
  const response = await stack.call("/v1/groups/sales/db/main/query", { method: "POST", body: JSON.stringify({ sql: "select 1 as one" }) });
  expect(response.status).toBe(200);
  expect(stack.gateway.registry.all().length).toBe(1);
}

describe("abuse of the caller API", () => {
  const badBodies: [string, string | Uint8Array][] = [
    ["truncated JSON", "{"],
    ["an array", "[]"],
    ["a string", '"select 1"'],
    ["sql of the wrong type", '{"sql": 42}'],
    ["params of the wrong type", '{"sql": "select 1", "params": "x"}'],
    ["maxRows of the wrong type", '{"sql": "select 1", "maxRows": "many"}'],
    ["a negative timeout", '{"sql": "select 1", "timeoutMs": -5}'],
    ["a prototype key", '{"__proto__": {"sql": "select 1"}}'],
    ["a NUL byte in the SQL", '{"sql": "select 1\u0000; drop table x"}'],
  ];
  for (const [what, body] of badBodies) {
    test(`a query with ${what} gets a clear 4xx`, async () => {
      const response = await stack.call("/v1/groups/sales/db/main/query", { method: "POST", body });
      const answer = (await response.json()) as { error?: { code: string; retryable: boolean } };
      metric("abuse-body", { case: what, status: response.status, code: answer.error?.code });
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
      expect(answer.error?.retryable).toBe(false);
    });
  }

  test("20,000 levels of nesting and invalid UTF-8 are answered without a crash (not a 5xx)", async () => {
    const lenient: [string, string | Uint8Array][] = [
      ["deep nesting", `{"sql": "select 1", "params": ${"[".repeat(20_000)}${"]".repeat(20_000)}}`],
      ["invalid UTF-8", new Uint8Array([...new TextEncoder().encode('{"sql": "select \''), 0xff, 0xfe, ...new TextEncoder().encode('\'"}')])],
    ];
    for (const [what, body] of lenient) {
      const response = await stack.call("/v1/groups/sales/db/main/query", { method: "POST", body });
      metric("abuse-body", { case: what, status: response.status });
      expect(response.status).toBeLessThan(500);
    }
    await stillHealthy();
  });

  test("a body over the limit gets 413 and the gateway stays up", async () => {
    const huge = `{"sql": "select 1", "pad": "${"x".repeat(11 * 1024 * 1024)}"}`;
    const response = await stack.call("/v1/groups/sales/db/main/query", { method: "POST", body: huge });
    expect(response.status).toBe(413);
    await stillHealthy();
  });

  test("a 100 KiB header and 2,000 headers are refused without a crash", async () => {
    const big = await raw("GET", "/v1/groups/sales/files/share/ok.txt", { "x-big": "y".repeat(100 * 1024) });
    const many = await raw("GET", "/v1/groups/sales/files/share/ok.txt", Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`x-h${i}`, "v"])));
    metric("abuse-headers", { bigHeaderStatus: big.status, manyHeadersStatus: many.status });
    for (const status of [big.status, many.status]) expect(status === 0 || status === 200 || (status >= 400 && status < 500)).toBe(true);
    await stillHealthy();
  });

  test("unknown operations, kinds, profiles and methods get 404/405", async () => {
    const cases: [string, string, number][] = [
      ["POST", "/v1/groups/sales/db/main/drop", 404],
      ["GET", "/v1/groups/sales/db/main/query", 405],
      ["POST", "/v1/groups/sales/nope/main/query", 404],
      ["POST", "/v1/groups/sales/db/missing/query", 404],
      ["POST", "/v1/groups/nogroup/db/main/query", 403], // a scoped token does not learn which groups exist
      ["PATCH", "/v1/groups/sales/files/share/ok.txt", 405],
    ];
    for (const [method, path, expected] of cases) {
      const response = await stack.call(path, { method, body: method === "GET" ? undefined : '{"sql":"select 1"}' });
      expect([method, path, response.status]).toEqual([method, path, expected]);
    }
  });

  const fileEscapes = [
    "%2e%2e/secret.txt", "%2e%2e%2fsecret.txt", "..%2fsecret.txt", "%252e%252e%252fsecret.txt", "..%5csecret.txt",
    "..\\secret.txt", "sub/..%2f..%2fsecret.txt", "%2e%2e%5c%2e%2e%5csecret.txt", "%2fetc%2fpasswd", "/etc/passwd",
    "secret.txt%00.txt", "..%c0%afsecret.txt", "link-out", "%2e%2e/", "sub/%2e%2e/%2e%2e/",
  ];
  test("path escapes on a files profile never read outside the base", async () => {
    const seen: Record<string, number> = {};
    for (const escape of fileEscapes) {
      const answer = await raw("GET", `/v1/groups/sales/files/share/${escape}`);
      seen[escape] = answer.status;
      expect(answer.body).not.toContain(SECRET);
      expect(answer.body).not.toContain("root:x:0:0");
      expect(answer.status === 403 || answer.status === 404 || answer.status === 400).toBe(true);
    }
    metric("abuse-file-escapes", seen);
    await stillHealthy();
  });

  test("path and host escapes on an http profile never leave its base URL", async () => {
    const evilHost = `127.0.0.1:${evil.port}`;
    const escapes = [
      "..%2f..%2fadmin", "%2e%2e/%2e%2e/admin", "%252e%252e%252fadmin", "..%5c..%5cadmin", `%2f%2f${evilHost}/x`, `/${evilHost}/x`,
      `@${evilHost}/x`, `http://${evilHost}/x`, `%5c%5c${evilHost}/x`, `\\\\${evilHost}/x`, "x?next=http://evil",
    ];
    const seen: Record<string, number> = {};
    for (const escape of escapes) seen[escape] = (await raw("GET", `/v1/groups/sales/http/web/${escape}`)).status;
    metric("abuse-http-escapes", { statuses: seen, upstreamPaths });
    expect(evilHits).toBe(0);
    for (const path of upstreamPaths) {
      // What the upstream would resolve the path to, with %2f and %5c decoded as some servers do.
      const decoded = path.replace(/%2f/gi, "/").replace(/%5c/gi, "/").replace(/%2e/gi, ".");
      expect(new URL(decoded, "http://upstream").pathname.startsWith("/api/")).toBe(true);
    }
    await stillHealthy();
  });
});
