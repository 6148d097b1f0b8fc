/**
 * docs/openapi.yaml against the routes the gateway really serves, both ways: every
 * served route is documented and every documented route is served. Served routes come
 * from the code, not from a list kept here: the admin table (ADMIN_ROUTES), the console's
 * table, the fixed paths `server.ts` compares `url.pathname` with, and, for the invoke
 * API, the kinds and database operations in `invoke/parse.ts` with the methods
 * `parseInvocation` accepts (probed with every method).
 */
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import YAML from "yaml";
import { ADMIN_ROUTES } from "../../src/gateway/admin/routes.ts";
import { CONSOLE_ASSET_NAMES } from "../../src/gateway/console/console-assets.ts";
import { consoleRoutes } from "../../src/gateway/console/console-routes.ts";
import type { ConsoleServices } from "../../src/gateway/console/console-services.ts";
import { GatewayError } from "../../src/gateway/http-errors.ts";
import { parseInvocation } from "../../src/gateway/invoke/parse.ts";
import { AGENT_CONNECT_PATH, ROTATE_KEY_PATH } from "../../src/protocol/index.ts";
import { REPO } from "../support/binary.ts";

const METHODS = ["get", "head", "options", "post", "put", "patch", "delete"];
const spec = YAML.parse(readFileSync(join(REPO, "docs/openapi.yaml"), "utf8")) as { openapi: string; paths: Record<string, Record<string, unknown>> };
const source = (path: string) => readFileSync(join(REPO, "src/gateway", path), "utf8");

/** `GET /v1/groups/{group}` lines of the document. */
function documented(): string[] {
  return Object.entries(spec.paths).flatMap(([path, item]) =>
    Object.keys(item).filter((key) => METHODS.includes(key)).map((method) => `${method.toUpperCase()} ${path}`)).sort();
}

function fromTable(routes: readonly { method: string; pattern: string }[]): string[] {
  return routes.map((route) => `${route.method} ${route.pattern.replace(/:(\w+)/g, "{$1}")}`);
}

/** Paths `server.ts` answers itself: `url.pathname === X` (optionally `&& request.method === "M"`; else GET). */
function fixedPaths(): string[] {
  const constants: Record<string, string> = { AGENT_CONNECT_PATH, ROTATE_KEY_PATH };
  const found = [...source("server.ts").matchAll(/url\.pathname === ("[^"]+"|\w+)(?: && request\.method === "(\w+)")?/g)];
  return found.map(([, path, method]) => `${method ?? "GET"} ${path!.startsWith('"') ? JSON.parse(path!) : constants[path!]}`);
}

/** The invoke API as parse.ts defines it, each template with the methods parseInvocation accepts. */
async function invokeRoutes(): Promise<string[]> {
  const parse = source("invoke/parse.ts");
  const kinds = /\(\?:?([a-z|]+)\)\\\/\(\[\^\/\]\+\)/.exec(parse)?.[1] ?? /\\\/\(([a-z|]+)\)\\\//.exec(parse)?.[1];
  const dbOps = /\(\{ (query: "db\.query"[^}]+)\} as const\)/.exec(parse)?.[1]?.match(/(\w+): "db\./g)?.map((op) => op.split(":")[0]!);
  expect(kinds?.split("|").sort()).toEqual(["db", "ext", "files", "http", "scripts"]);
  expect(dbOps?.length).toBeGreaterThan(0);
  const templates = kinds!.split("|").flatMap((kind) =>
    kind === "db" ? dbOps!.map((op) => `/v1/groups/{group}/db/{profile}/${op}`)
    : kind === "scripts" ? ["/v1/groups/{group}/scripts/{profile}/{script}"]
    : [`/v1/groups/{group}/${kind}/{profile}/{path}`]);
  const routes: string[] = [];
  for (const template of templates) {
    for (const method of METHODS.map((m) => m.toUpperCase())) {
      const url = new URL(`https://gw${template.replace("{path}", "some/file.txt").replace(/\{(\w+)\}/g, "x")}?op=mkdir`);
      const body = method === "GET" || method === "HEAD" ? undefined : "{}";
      let served = true;
      try {
        await parseInvocation(new Request(url.href, body === undefined ? { method } : { method, body }), url);
      } catch (error) {
        served = !(error instanceof GatewayError && (error.code === "METHOD_NOT_ALLOWED" || error.code === "NOT_FOUND"));
      }
      if (served) routes.push(`${method} ${template}`);
    }
  }
  return routes;
}

describe("docs/openapi.yaml", () => {
  test("is OpenAPI 3.1", () => {
    expect(spec.openapi).toStartWith("3.1");
  });

  test("documents exactly the routes the gateway serves", async () => {
    const served = [
      ...fromTable(ADMIN_ROUTES),
      ...fromTable(consoleRoutes({} as ConsoleServices)),
      ...fixedPaths(),
      ...(await invokeRoutes()),
    ].sort();
    expect(fixedPaths()).toContain("GET /healthz");
    expect(served).toHaveLength(new Set(served).size);
    const docs = documented();
    expect({ undocumented: served.filter((route) => !docs.includes(route)), notServed: docs.filter((route) => !served.includes(route)) })
      .toEqual({ undocumented: [], notServed: [] });
  });

  test("the console's asset names are the files the gateway embeds", () => {
    const parameters = (spec.paths["/console/{asset}"]!.get as { parameters: { name: string; schema: { enum: string[] } }[] }).parameters;
    expect(parameters.find((parameter) => parameter.name === "asset")!.schema.enum.toSorted()).toEqual(CONSOLE_ASSET_NAMES.toSorted());
  });

  test("every $ref points at something", () => {
    const text = readFileSync(join(REPO, "docs/openapi.yaml"), "utf8");
    const document = YAML.parse(text);
    for (const [, ref] of text.matchAll(/\$ref: "#\/([^"]+)"/g)) {
      const target = ref!.split("/").reduce((node: Record<string, unknown> | undefined, key) => node?.[key] as Record<string, unknown> | undefined, document);
      expect(target, ref).toBeDefined();
    }
  });
});

test("a running gateway serves this document at /openapi.yaml without a token", async () => {
  const { startStack } = await import("../support/stack.ts");
  const stack = await startStack();
  try {
    const response = await fetch(`https://localhost:${stack.gateway.port}/openapi.yaml`, { tls: { ca: stack.ca.certPem } });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toStartWith("application/yaml");
    expect(await response.text()).toBe(readFileSync(join(REPO, "docs/openapi.yaml"), "utf8"));
  } finally {
    await stack.stop();
  }
});
