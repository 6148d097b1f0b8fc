/**
 * @module
 * The invoke API: authenticate the caller, check the token's group scope, let the router
 * run the operation on an agent, and stream the agent's reply back as the HTTP answer.
 * The agent's reply head carries the status and headers (`meta.status`, `meta.headers`);
 * the body passes through untouched, so nothing here buffers a large answer.
 */
import type { Logger } from "../../log/logger.ts";
import { deadlineScope } from "../../protocol/index.ts";
import { authorizeGroup, type Authenticator } from "../auth/authenticator.ts";
import { GatewayError, errorResponse } from "../http-errors.ts";
import type { GatewayMetrics, Outcome } from "../metrics.ts";
import { Router, toGatewayError } from "../router.ts";
import type { StoreReadCache } from "../store/read-cache.ts";
import { matchInvokePath, parseInvocation } from "./parse.ts";
import { FRAMED_BODY_LIMIT, LENGTH_HEADER, announcedLength } from "./framing.ts";
import { gatherSmall } from "./small-body.ts";

export interface InvokeDeps {
  auth: Authenticator;
  /** Group lookups (the store, read through its cache). */
  reads: StoreReadCache;
  router: Router;
  metrics: GatewayMetrics;
  log: Logger;
  /** Deadline when the caller names none, ms. Defaults to 300,000. */
  defaultTimeoutMs?: number;
  /** Longest deadline a caller may ask for, ms. Defaults to 3,600,000. */
  maxTimeoutMs?: number;
}

export interface InvokeContext {
  requestId: string;
  remoteIp: string;
}

/** The "deadline" of an upload: a week, i.e. none that a transfer will meet. */
const UNTIMED_MS = 7 * 24 * 3_600_000;

/** Answers an invoke request, or `undefined` when the path is not an invoke path. */
export async function handleInvoke(request: Request, url: URL, deps: InvokeDeps, ctx: InvokeContext): Promise<Response | undefined> {
  if (!matchInvokePath(url.pathname)) return undefined;
  const started = performance.now();
  let group = "-";
  let op = "-";
  let counted = false;
  try {
    const principal = await deps.auth.authenticate(request, ctx.remoteIp);
    const invocation = await parseInvocation(request, url);
    if (!invocation) return undefined;
    group = invocation.group;
    op = invocation.op;
    authorizeGroup(principal, invocation.group);
    const record = await deps.reads.groupByName(invocation.group);
    if (!record) throw new GatewayError("NOT_FOUND", `group "${invocation.group}" does not exist`);

    // Uploads last as long as the caller sends (a cancel still stops them); every other
    // deadline is the caller's timeoutMs, within the gateway's bounds.
    const timeoutMs = deadlineScope(invocation.op) === "none"
      ? UNTIMED_MS
      : Math.min(invocation.timeoutMs ?? deps.defaultTimeoutMs ?? 300_000, deps.maxTimeoutMs ?? 3_600_000);
    deps.metrics.started();
    counted = true;
    if (invocation.jsonBytes) deps.metrics.bytes(group, "in", invocation.jsonBytes);
    const reply = await deps.router.dispatch({
      groupId: record.id,
      groupName: record.name,
      kind: invocation.kind,
      profile: invocation.profile,
      op: invocation.op,
      args: invocation.args,
      requestId: ctx.requestId,
      deadline: Date.now() + timeoutMs,
      body: invocation.body && countBytes(invocation.body, (n) => deps.metrics.bytes(group, "in", n)),
      signal: request.signal,
    });
    deps.log.debug("request routed", { requestId: ctx.requestId, group, op, agent: reply.agent.agentName, attempts: reply.attempts });

    const headers = new Headers(metaHeaders(reply.meta.headers));
    headers.set("x-request-id", ctx.requestId);
    headers.set("x-outpost-agent", reply.agent.agentName);
    const status = typeof reply.meta.status === "number" ? reply.meta.status : 200;
    const finish = (outcome: Outcome) => deps.metrics.finished(group, op, outcome, (performance.now() - started) / 1000, reply.agent.agentName);
    if (request.method === "HEAD" || status === 204 || status === 304) {
      void reply.body.cancel();
      finish("ok");
      return new Response(null, { status, headers });
    }
    // Bytes out are counted where the body is read anyway, not by a stream layer of their own.
    const countOut = (n: number) => deps.metrics.bytes(group, "out", n);
    const cut = (error: unknown) =>
      deps.log.warn("answer cut short: the agent's reply failed mid-body", { requestId: ctx.requestId, group, op, code: (error as { code?: string }).code });
    const failure = (error: unknown) => toGatewayError(error, { signal: request.signal, op: invocation.op, args: invocation.args, body: invocation.body });
    // Every body says whether it is complete (see framing.ts): a known size up to the limit
    // leaves as bytes with Content-Length; a bigger one streams with its size in a header.
    const expected = announcedLength(headers);
    headers.delete("content-length");
    if (expected !== undefined) {
      headers.set(LENGTH_HEADER, String(expected));
      if (expected <= FRAMED_BODY_LIMIT) {
        const gathered = await gatherSmall(reply.body, expected, countOut);
        if ("failed" in gathered) throw failure(gathered.failed);
        if (!("complete" in gathered) || gathered.complete.byteLength !== expected) {
          if ("stream" in gathered) void gathered.stream.cancel();
          throw new GatewayError("AGENT_ERROR", `the agent announced ${expected} bytes but sent ${"complete" in gathered ? gathered.complete.byteLength : "more"}`);
        }
        finish("ok");
        return new Response(gathered.complete, { status, headers });
      }
      return new Response(watchEnd(reply.body, { finish, signal: request.signal, onCut: cut, count: countOut, expected }), { status, headers });
    }
    if (headers.get("content-type")?.startsWith("application/json")) {
      const gathered = await gatherSmall(reply.body, undefined, countOut);
      if ("failed" in gathered) throw failure(gathered.failed);
      if ("complete" in gathered) {
        finish("ok");
        return new Response(gathered.complete, { status, headers });
      }
      return new Response(watchEnd(gathered.stream, { finish, signal: request.signal, onCut: cut }), { status, headers });
    }
    return new Response(watchEnd(reply.body, { finish, signal: request.signal, onCut: cut, count: countOut }), { status, headers });
  } catch (error) {
    const response = errorResponse(error, ctx.requestId, deps.log);
    // The router names the agent on errors it produced (`GatewayError.agent`, where set).
    const agent = (error as { agent?: string } | undefined)?.agent;
    if (counted) deps.metrics.finished(group, op, outcomeOf(response.status), (performance.now() - started) / 1000, agent);
    return response;
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

interface WatchOptions {
  finish: (outcome: Outcome) => void;
  signal: AbortSignal;
  onCut: (error: unknown) => void;
  /** Hears each chunk's size. */
  count?: (bytes: number) => void;
  /** The byte count the agent announced: a body that ends short of it, or runs past it, is cut. */
  expected?: number;
}

/**
 * Reports the outcome once the body has been fully sent, failed, or the caller left. A
 * failure mid-body cuts the caller's connection (so a partial answer never passes for a
 * whole one) and is logged here, with the request id, instead of printed by the server.
 */
function watchEnd(body: ReadableStream<Uint8Array>, { finish, signal, onCut, count = () => {}, expected }: WatchOptions): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let done = false;
  let sent = 0;
  const once = (outcome: Outcome) => {
    if (done) return;
    done = true;
    finish(outcome);
  };
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const next = await reader.read();
          if (next.done) {
            if (expected !== undefined && sent !== expected) throw new GatewayError("AGENT_ERROR", `the agent announced ${expected} bytes but sent ${sent}`);
            once("ok");
            controller.close();
          } else {
            sent += next.value.byteLength;
            if (expected !== undefined && sent > expected) throw new GatewayError("AGENT_ERROR", `the agent announced ${expected} bytes but sent more`);
            count(next.value.byteLength);
            controller.enqueue(next.value);
          }
        } catch (error) {
          once(signal.aborted ? "cancelled" : "agent_error");
          if (!signal.aborted) onCut(error);
          void reader.cancel(error).catch(() => {});
          controller.error();
        }
      },
      cancel(reason) {
        once("cancelled");
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}
