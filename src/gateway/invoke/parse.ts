/**
 * @module
 * Turns a caller's HTTP request on the invoke API into an operation for an agent:
 * `/v1/groups/{group}/{db|files|http|scripts|ext}/{profile}/{rest}`. Only the shape of
 * the request is checked here (method, JSON body, query flags); what the rest of the path
 * may reach is checked by the agent's connector against the real file system or base URL.
 */
import type { OperationName, ProfileKindName } from "../../protocol/index.ts";
import { GatewayError, readJsonObject } from "../http-errors.ts";

export interface Invocation {
  group: string;
  kind: ProfileKindName;
  profile: string;
  op: OperationName;
  args: Record<string, unknown>;
  /** Streamed to the agent (uploads, forwarded HTTP bodies); `null` when the op takes none. */
  body: ReadableStream<Uint8Array> | null;
  /** What the caller asked to wait at most, in ms, if anything. */
  timeoutMs?: number;
  /** Size of a JSON body read here (database and script requests); streamed bodies are counted as they pass. */
  jsonBytes?: number;
}

/** Largest JSON body of a database or script request. Defaults to 10 MiB. */
export const MAX_INVOKE_JSON_BYTES = 10 * 1024 * 1024;

const KIND_BY_SEGMENT: Record<string, ProfileKindName> = {
  db: "databases",
  files: "files",
  http: "http",
  scripts: "scripts",
  ext: "extensions",
};

/** Matches invoke paths; `undefined` for any other path. */
export function matchInvokePath(pathname: string): { group: string; kind: ProfileKindName; profile: string; rest: string } | undefined {
  const match = /^\/v1\/groups\/([^/]+)\/(db|files|http|scripts|ext)\/([^/]+)(?:\/(.*))?$/.exec(pathname);
  if (!match) return undefined;
  return {
    group: decodeSegment(match[1]!),
    kind: KIND_BY_SEGMENT[match[2]!]!,
    profile: decodeSegment(match[3]!),
    rest: match[4] ?? "",
  };
}

export async function parseInvocation(request: Request, url: URL): Promise<Invocation | undefined> {
  const path = matchInvokePath(url.pathname);
  if (!path) return undefined;
  const base = { group: path.group, kind: path.kind, profile: path.profile };
  switch (path.kind) {
    case "databases":
      return { ...base, ...(await databaseOperation(request, path.rest)) };
    case "files":
      return { ...base, ...filesOperation(request, url, path.rest) };
    case "http":
      return { ...base, op: "http.forward", args: forwardArgs(request, path.rest, url), body: request.body };
    case "extensions":
      return { ...base, op: "ext.handle", args: forwardArgs(request, path.rest, url), body: request.body };
    case "scripts":
      return { ...base, ...(await scriptOperation(request, path.rest)) };
  }
}

async function databaseOperation(request: Request, rest: string) {
  const op = ({ query: "db.query", execute: "db.execute", batch: "db.batch", call: "db.call" } as const)[rest];
  if (!op) throw new GatewayError("NOT_FOUND", `unknown database operation "${rest}" (query, execute, batch or call)`);
  requireMethod(request, "POST");
  let jsonBytes = 0;
  const json = await readJsonObject(request, MAX_INVOKE_JSON_BYTES, (bytes) => (jsonBytes = bytes));
  const { timeoutMs, ...args } = json;
  if (op === "db.query") {
    // The answer's form comes from Accept alone; a body's own `format` or `rows` is dropped.
    const { format, rows } = queryForm(request.headers.get("accept"));
    args.format = format;
    if (rows) args.rows = rows;
    else delete args.rows;
  }
  return { op, args, body: null, timeoutMs: optionalTimeout(timeoutMs), jsonBytes } as const;
}

type RowForm = "objects" | "arrays";

/**
 * A query's answer from `Accept`: NDJSON when a media range names `application/x-ndjson`,
 * else JSON; and the `rows` parameter of that range (`objects` or `arrays`; absent means
 * the format's default). A range with `q=0` is refused by the caller, so it is skipped.
 */
export function queryForm(accept: string | null): { format: "json" | "ndjson"; rows?: RowForm } {
  let json: { rows?: RowForm } | undefined;
  for (const range of (accept ?? "").split(",")) {
    const [type = "", ...params] = range.split(";");
    const media = type.trim().toLowerCase();
    if (media !== "application/x-ndjson" && media !== "application/json") continue;
    const values = mediaParams(params);
    if (values.get("q") !== undefined && Number(values.get("q")) === 0) continue;
    const rows = values.get("rows");
    if (rows !== undefined && rows !== "objects" && rows !== "arrays") {
      throw new GatewayError("BAD_REQUEST", `Accept: ${media}; rows=${JSON.stringify(rows.slice(0, 40))} is not a row form; use rows=objects or rows=arrays`);
    }
    if (media === "application/x-ndjson") return { format: "ndjson", rows };
    json ??= { rows };
  }
  return { format: "json", rows: json?.rows };
}

/** `name=value` parameters of a media range, names lower-cased, quotes taken off values. */
function mediaParams(params: string[]): Map<string, string> {
  const values = new Map<string, string>();
  for (const param of params) {
    const at = param.indexOf("=");
    if (at < 0) continue;
    values.set(param.slice(0, at).trim().toLowerCase(), param.slice(at + 1).trim().replace(/^"(.*)"$/, "$1"));
  }
  return values;
}

async function scriptOperation(request: Request, rest: string) {
  if (!rest || rest.includes("/")) throw new GatewayError("NOT_FOUND", "the path must name one script: /scripts/{profile}/{script}");
  requireMethod(request, "POST");
  let jsonBytes = 0;
  const { params = {}, timeoutMs } = await readJsonObject(request, MAX_INVOKE_JSON_BYTES, (bytes) => (jsonBytes = bytes));
  if (params === null || typeof params !== "object" || Array.isArray(params)) {
    throw new GatewayError("BAD_REQUEST", "params must be a JSON object");
  }
  return { op: "scripts.run", args: { script: decodeSegment(rest), params }, body: null, timeoutMs: optionalTimeout(timeoutMs), jsonBytes } as const;
}

function filesOperation(request: Request, url: URL, rest: string): Pick<Invocation, "op" | "args" | "body"> {
  const path = decodePath(rest);
  const flag = (name: string) => ["1", "true", "yes"].includes(url.searchParams.get(name) ?? "");
  switch (request.method) {
    case "GET":
      if (path === "" || path.endsWith("/")) {
        return { op: "files.list", args: { path, recursive: flag("recursive"), pattern: url.searchParams.get("pattern") ?? undefined }, body: null };
      }
      return { op: "files.read", args: { path, range: parseRange(request.headers.get("range")) }, body: null };
    case "HEAD":
      return { op: "files.stat", args: { path }, body: null };
    case "PUT":
      return { op: "files.write", args: { path, overwrite: url.searchParams.get("overwrite") !== "0" }, body: request.body ?? emptyBody() };
    case "DELETE":
      return { op: "files.delete", args: { path, onlyIfEmpty: flag("onlyIfEmpty"), recursive: flag("recursive") }, body: null };
    case "POST": {
      const op = url.searchParams.get("op");
      const to = url.searchParams.get("to");
      if ((op === "move" || op === "rename") && !to) throw new GatewayError("BAD_REQUEST", `op=${op} needs a "to" query parameter`);
      if (op === "move") return { op: "files.move", args: { path, to }, body: null };
      if (op === "rename") return { op: "files.rename", args: { path, to }, body: null };
      if (op === "mkdir") return { op: "files.mkdir", args: { path }, body: null };
      if (op === "poll") {
        const limit = url.searchParams.get("limit");
        return {
          op: "files.poll",
          args: { path, pattern: url.searchParams.get("pattern") ?? undefined, recursive: flag("recursive"), limit: limit ? Number(limit) : undefined },
          body: null,
        };
      }
      throw new GatewayError("BAD_REQUEST", "POST on files needs ?op=move|rename|mkdir|poll");
    }
    default:
      throw new GatewayError("METHOD_NOT_ALLOWED", `method ${request.method} is not allowed on files`);
  }
}

/** Forwarded requests keep the raw (still encoded) path so the agent judges encoded dot segments itself. */
function forwardArgs(request: Request, rest: string, url: URL) {
  const headers: [string, string][] = [];
  request.headers.forEach((value, name) => {
    if (name !== "authorization" && name !== "host") headers.push([name, value]);
  });
  return { method: request.method, path: rest + url.search, headers };
}

function parseRange(header: string | null): { start: number; end?: number } | undefined {
  if (!header) return undefined;
  const match = /^bytes=(\d+)-(\d*)$/.exec(header.trim());
  if (!match) throw new GatewayError("BAD_REQUEST", `unsupported Range header "${header}" (use bytes=START-[END])`);
  const start = Number(match[1]);
  const end = match[2] ? Number(match[2]) : undefined;
  if (end !== undefined && end < start) throw new GatewayError("BAD_REQUEST", `Range end ${end} is before start ${start}`);
  return { start, end };
}

function requireMethod(request: Request, method: string) {
  if (request.method !== method) throw new GatewayError("METHOD_NOT_ALLOWED", `use ${method} for this operation`);
}

function optionalTimeout(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw new GatewayError("BAD_REQUEST", "timeoutMs must be a positive number of milliseconds");
  }
  return value;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new GatewayError("BAD_REQUEST", `bad percent-encoding in "${segment}"`);
  }
}

/** Decodes each segment; the agent refuses anything that leaves the profile's base. */
function decodePath(rest: string): string {
  return rest.split("/").map(decodeSegment).join("/");
}

function emptyBody(): ReadableStream<Uint8Array> {
  return new ReadableStream({ start: (controller) => controller.close() });
}
