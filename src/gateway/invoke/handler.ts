/**
 * @module
 * The invoke API: authenticate the caller, check the token's group scope, let the router
 * run the operation on an agent, and stream the agent's reply back as the HTTP answer.
 * The agent's reply head carries the status and headers (`meta.status`, `meta.headers`);
 * the body passes through untouched, so nothing here buffers a large answer. Every request
 * ends in exactly one access line (`Exchange`), whether it was refused, failed, answered,
 * cut mid-body or abandoned by the caller.
 */
import type { Logger } from "../../log/logger.ts";
import type { ReplyBody } from "../../tunnel/reply.ts";
import { deadlineScope } from "../../protocol/index.ts";
import { AccessLog, declaredLength, type AccessEntry } from "../access-log.ts";
import { authorizeGroup, type Authenticator } from "../auth/authenticator.ts";
import { GatewayError, errorCode, errorResponse, isGatewayError } from "../http-errors.ts";
import type { GatewayMetrics, Outcome } from "../metrics.ts";
import { Router, toGatewayError } from "../router.ts";
import type { StoreReadCache } from "../store/read-cache.ts";
import { matchInvokePath, parseInvocation } from "./parse.ts";
import { FRAMED_BODY_LIMIT, LENGTH_HEADER, announcedLength } from "./framing.ts";
import { SMALL_BODY_LIMIT } from "./small-body.ts";

export interface InvokeDeps {
  auth: Authenticator;
  /** Group lookups (the store, read through its cache). */
  reads: StoreReadCache;
  router: Router;
  metrics: GatewayMetrics;
  log: Logger;
  /** Where each request's access line goes. Defaults to none. */
  access?: AccessLog;
  /** Deadline when the caller names none, ms. Defaults to 300,000. */
  defaultTimeoutMs?: number;
  /** Longest deadline a caller may ask for, ms. Defaults to 3,600,000. */
  maxTimeoutMs?: number;
}

export interface InvokeContext {
  requestId: string;
  remoteIp: string;
}

/** Longest group or profile name kept from a path (real names are far shorter). */
const MAX_NAME = 128;

/** The "deadline" of an upload: a week, i.e. none that a transfer will meet. */
const UNTIMED_MS = 7 * 24 * 3_600_000;

/** Answers an invoke request, or `undefined` when the path is not an invoke path. */
export async function handleInvoke(request: Request, url: URL, deps: InvokeDeps, ctx: InvokeContext): Promise<Response | undefined> {
  const path = matchInvokePath(url.pathname);
  if (!path) return undefined;
  // Group and profile come from the path, so even a refused request's line says what it
  // asked for; cut to a length no real name has, since the console keeps 2,000 entries.
  const entry = AccessLog.begin(request, "-", ctx);
  entry.group = path.group.slice(0, MAX_NAME);
  entry.profile = path.profile.slice(0, MAX_NAME);
  const exchange = new Exchange(entry, deps);
  try {
    const principal = await deps.auth.authenticate(request, ctx.remoteIp);
    entry.caller = principal.name;
    const invocation = await parseInvocation(request, url);
    if (!invocation) return undefined;
    entry.op = invocation.op;
    authorizeGroup(principal, invocation.group);
    const record = await deps.reads.groupByName(invocation.group);
    if (!record) throw new GatewayError("NOT_FOUND", `group "${invocation.group}" does not exist`);

    // Uploads last as long as the caller sends (a cancel still stops them); every other
    // deadline is the caller's timeoutMs, within the gateway's bounds.
    const timeoutMs = deadlineScope(invocation.op) === "none"
      ? UNTIMED_MS
      : Math.min(invocation.timeoutMs ?? deps.defaultTimeoutMs ?? 300_000, deps.maxTimeoutMs ?? 3_600_000);
    deps.metrics.started();
    exchange.counted = true;
    if (invocation.jsonBytes) exchange.received(invocation.jsonBytes);
    // A streamed body is counted as it passes (its Content-Length, if any, is only a claim).
    if (invocation.body) entry.bytesIn = 0;
    const reply = await deps.router.dispatch({
      groupId: record.id,
      groupName: record.name,
      kind: invocation.kind,
      profile: invocation.profile,
      op: invocation.op,
      args: invocation.args,
      requestId: ctx.requestId,
      deadline: Date.now() + timeoutMs,
      body: invocation.body && countBytes(invocation.body, exchange.received),
      signal: request.signal,
    });
    entry.agent = reply.agent.agentName;
    deps.log.debug("request routed", { requestId: ctx.requestId, group: entry.group, op: entry.op, agent: entry.agent, attempts: reply.attempts });

    const headers = new Headers(metaHeaders(reply.meta.headers));
    // These name Outpost's own facts; a backend's answer may not claim them.
    headers.set("x-request-id", ctx.requestId);
    headers.set("x-outpost-agent", reply.agent.agentName);
    headers.delete("x-outpost-error");
    const status = typeof reply.meta.status === "number" ? reply.meta.status : 200;
    entry.status = status;
    if (request.method === "HEAD" || status === 204 || status === 304) {
      reply.body.cancel();
      exchange.finish("ok");
      return new Response(null, { status, headers });
    }
    const failure = (error: unknown) => {
      const mapped = toGatewayError(error, { signal: request.signal, op: invocation.op, args: invocation.args, body: invocation.body });
      mapped.agent ??= reply.agent.agentName;
      return mapped;
    };
    // Every body says whether it is complete (see framing.ts): a known size up to the limit
    // leaves as bytes with Content-Length; a bigger one streams with its size in a header.
    // A JSON answer up to SMALL_BODY_LIMIT leaves in one write (small-body.ts). Either way
    // the body is gathered once: an idempotent reply's router gathering is continued here.
    const expected = announcedLength(headers);
    headers.delete("content-length");
    if (expected !== undefined) headers.set(LENGTH_HEADER, String(expected));
    const gatherUpTo = expected !== undefined ? (expected <= FRAMED_BODY_LIMIT ? expected : -1)
      : headers.get("content-type")?.startsWith("application/json") ? SMALL_BODY_LIMIT : -1;
    if (gatherUpTo >= 0) {
      const gathered = await reply.body.gather(gatherUpTo).catch((error: unknown) => {
        throw failure(error);
      });
      if ("complete" in gathered) {
        if (expected !== undefined && gathered.complete.byteLength !== expected) {
          throw failure(new GatewayError("AGENT_ERROR", `the agent announced ${expected} bytes but sent ${gathered.complete.byteLength}`));
        }
        exchange.sent(gathered.complete.byteLength);
        exchange.finish("ok");
        return new Response(gathered.complete, { status, headers });
      }
      if (expected !== undefined) {
        reply.body.cancel();
        throw failure(new GatewayError("AGENT_ERROR", `the agent announced ${expected} bytes but sent more`));
      }
    }
    return new Response(watchEnd(reply.body, exchange, request.signal, expected), { status, headers });
  } catch (error) {
    const response = errorResponse(error, ctx.requestId, deps.log);
    entry.status = response.status;
    entry.code = errorCode(error);
    entry.agent ??= isGatewayError(error) ? error.agent : undefined;
    // What went out is the error answer; anything gathered from the agent before was never sent.
    entry.bytesOut = declaredLength(response);
    exchange.finish(outcomeOf(response.status));
    return response;
  }
}

/**
 * One invoke request's bookkeeping: bytes each way, then, exactly once when the answer is
 * over (sent, failed or abandoned), the metrics and the access line. One object per
 * request; its counters are bound once so they can be handed to stream readers.
 */
class Exchange {
  counted = false;
  readonly #entry: AccessEntry;
  readonly #deps: InvokeDeps;
  readonly #started = performance.now();
  #done = false;

  constructor(entry: AccessEntry, deps: InvokeDeps) {
    this.#entry = entry;
    this.#deps = deps;
  }

  readonly received = (bytes: number): void => {
    this.#entry.bytesIn += bytes;
    this.#deps.metrics.bytes(this.#entry.group!, "in", bytes);
  };

  readonly sent = (bytes: number): void => {
    this.#entry.bytesOut += bytes;
    this.#deps.metrics.bytes(this.#entry.group!, "out", bytes);
  };

  /** Reports the outcome; `code` names why a body already under way stopped. */
  finish(outcome: Outcome, code?: string): void {
    if (this.#done) return;
    this.#done = true;
    const entry = this.#entry;
    if (code !== undefined) entry.code = code;
    if (this.counted) this.#deps.metrics.finished(entry.group!, entry.op, outcome, (performance.now() - this.#started) / 1000, entry.agent);
    this.#deps.access?.write(entry, this.#started);
  }

  /** A failure mid-body, logged here with the request id instead of printed by the server. */
  cut(error: unknown): void {
    const code = (error as { remote?: { code?: string }; code?: string }).remote?.code ?? (error as { code?: string }).code ?? "AGENT_ERROR";
    const entry = this.#entry;
    this.#deps.log.warn("answer cut short: the agent's reply failed mid-body", { requestId: entry.requestId, group: entry.group, op: entry.op, agent: entry.agent, code });
    this.finish("agent_error", code);
  }
}

function metaHeaders(value: unknown): [string, string][] {
  if (!Array.isArray(value)) return [];
  return value.filter((pair): pair is [string, string] =>
    Array.isArray(pair) && typeof pair[0] === "string" && typeof pair[1] === "string");
}

function outcomeOf(status: number): Outcome {
  if (status === 503) return "unavailable";
  if (status === 504) return "timeout";
  if (status === 499) return "cancelled";
  if (status >= 500) return "agent_error";
  return "client_error";
}

function countBytes(body: ReadableStream<Uint8Array>, add: (n: number) => void): ReadableStream<Uint8Array> {
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        add(chunk.byteLength);
        controller.enqueue(chunk);
      },
    }),
  );
}

/**
 * The body as the caller's stream; reports the outcome once it has been fully sent, failed,
 * or the caller left. A failure mid-body cuts the caller's connection (so a partial answer
 * never passes for a whole one). Bytes are counted here, where they are read anyway.
 * `expected`, the byte count the agent announced: a body that ends short of it, or runs
 * past it, is cut.
 */
function watchEnd(body: ReplyBody, exchange: Exchange, signal: AbortSignal, expected?: number): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const chunk = await body.read();
          if (!chunk) {
            if (expected !== undefined && sent !== expected) throw new GatewayError("AGENT_ERROR", `the agent announced ${expected} bytes but sent ${sent}`);
            exchange.finish("ok");
            controller.close();
          } else {
            sent += chunk.byteLength;
            if (expected !== undefined && sent > expected) throw new GatewayError("AGENT_ERROR", `the agent announced ${expected} bytes but sent more`);
            exchange.sent(chunk.byteLength);
            controller.enqueue(chunk);
          }
        } catch (error) {
          if (signal.aborted) exchange.finish("cancelled", "CANCELLED");
          else exchange.cut(error);
          body.cancel();
          controller.error();
        }
      },
      cancel() {
        exchange.finish("cancelled", "CANCELLED");
        body.cancel();
      },
    },
    { highWaterMark: 0 },
  );
}
