/**
 * @module
 * Every routing decision of the gateway lives here: which agent of a group serves a
 * request (least outstanding requests among enabled agents that offer the profile), and
 * when a failed attempt is tried again on another agent.
 *
 * Retry rule: an attempt that fails because the agent's connection went away (closed,
 * going away, refused) is tried once more on another agent when the agent cannot have run
 * it (refused before start) or when the operation is idempotent and has no request body.
 * Anything else fails with a retryable error instead of running twice. To make that rule
 * hold for small answers, the first `prefetchBytes` of an idempotent reply are read before
 * the answer is committed to the caller. Three exceptions are never retried:
 *
 * - **Deadlines hold.** A request whose deadline has passed, or that failed with the
 *   agent's own error (a TIMEOUT among them: the agent ran it and gave up), is not sent to
 *   another agent — it would run the work a second time for an answer nobody waits for.
 *   For the same reason a TIMEOUT answer says `retryable: false`, so a client's own retry
 *   does not do it either.
 * - **Poison guard.** A request in flight when its agent's link died by keepalive timeout
 *   (LINK_DEAD: no frame at all for the timeout) is not sent to another agent: a frozen
 *   event loop looks exactly like that, and the request may be what froze it. It fails
 *   with AGENT_UNRESPONSIVE, not retryable. A socket that closed (the agent process exited
 *   or was killed, a proxy dropped the connection: close code 1006 and the like) or a
 *   go-away is not suspicious and is retried as above. What the gateway cannot tell apart:
 *   a frozen agent from a network that black-holes packets (both are silent links), nor a
 *   request that crashed its agent from an unrelated kill (both are closed sockets).
 * - **Quarantine.** Suspects are remembered by fingerprint (PoisonMemory): a request that
 *   was the only one on a link that died that way, or that was in flight at two such
 *   deaths, is refused (QUARANTINED) for ten minutes instead of freezing the next agent.
 */
import { ResetCode, deadlineScope, isIdempotent, type OperationName, type ProfileKindName, type ReplyHead } from "../protocol/index.ts";
import { TunnelError, isTunnelError } from "../tunnel/errors.ts";
import type { ReplyBody } from "../tunnel/reply.ts";
import type { Stream } from "../tunnel/stream.ts";
import { GatewayError } from "./http-errors.ts";
import { SMALL_BODY_LIMIT } from "./invoke/small-body.ts";
import { PoisonMemory, fingerprintOf } from "./poison-memory.ts";
import type { AgentRegistry, LiveAgent } from "./registry.ts";

export interface RouteRequest {
  groupId: string;
  groupName: string;
  kind: ProfileKindName;
  profile: string;
  op: OperationName;
  args: Record<string, unknown>;
  requestId: string;
  /** Epoch ms. */
  deadline: number;
  body: ReadableStream<Uint8Array> | null;
  /** The caller's signal: aborting it cancels the work on the agent. */
  signal: AbortSignal;
}

export interface RoutedReply {
  agent: LiveAgent;
  meta: Record<string, unknown>;
  /** An idempotent reply comes with up to `prefetchBytes` already gathered (see `ReplyBody`). */
  body: ReplyBody;
  /** How many attempts it took (1 or 2). */
  attempts: number;
}

export interface RouterOptions {
  registry: AgentRegistry;
  /** Bytes of an idempotent reply read before committing to the caller. Defaults to 64 KiB. */
  prefetchBytes?: number;
  /** Random source for tie-breaking. Defaults to `Math.random`. */
  random?: () => number;
  /** Requests suspected of freezing an agent. Defaults to a new `PoisonMemory()` (ten minutes). */
  poison?: PoisonMemory;
}

export class Router {
  readonly #registry: AgentRegistry;
  readonly #prefetchBytes: number;
  readonly #random: () => number;
  readonly #poison: PoisonMemory;

  constructor(options: RouterOptions) {
    this.#registry = options.registry;
    this.#prefetchBytes = options.prefetchBytes ?? SMALL_BODY_LIMIT;
    this.#random = options.random ?? Math.random;
    this.#poison = options.poison ?? new PoisonMemory();
  }

  /** The agent that should serve the next request, or a GatewayError saying why none can. */
  pick(request: Pick<RouteRequest, "groupId" | "groupName" | "kind" | "profile">, exclude: ReadonlySet<string> = new Set()): LiveAgent {
    const connected = this.#registry.inGroup(request.groupId);
    const offering = connected.filter((agent) => offers(agent, request.kind, request.profile));
    const usable = offering.filter(
      (agent) => agent.enabled && !agent.draining && !agent.session.closed && !agent.session.goingAway && !exclude.has(agent.agentId),
    );
    if (usable.length === 0) {
      if (connected.length > 0 && offering.length === 0) {
        throw new GatewayError("NOT_FOUND", `no agent of group "${request.groupName}" offers ${describeKind(request.kind)} profile "${request.profile}"`);
      }
      throw new GatewayError("UNAVAILABLE", `no active agent of group "${request.groupName}" offers profile "${request.profile}"`);
    }
    let least = Infinity;
    let best: LiveAgent[] = [];
    for (const agent of usable) {
      if (agent.inFlight < least) [least, best] = [agent.inFlight, [agent]];
      else if (agent.inFlight === least) best.push(agent);
    }
    return best[Math.floor(this.#random() * best.length)] ?? best[0]!;
  }

  /** Runs the request on an agent of the group and returns the agent's reply, retrying once by the rule above. */
  async dispatch(request: RouteRequest): Promise<RoutedReply> {
    // Fingerprinting costs a JSON and a hash: only paid while some suspect is remembered.
    if (!this.#poison.empty) this.#poison.check(fingerprintOf(request));
    const tried = new Set<string>();
    let failed: unknown;
    let failedOn: LiveAgent | undefined;
    for (let attempt = 1; ; attempt++) {
      if (request.signal.aborted) throw new GatewayError("CANCELLED", "the caller cancelled the request");
      let agent: LiveAgent;
      try {
        agent = this.pick(request, tried);
      } catch (error) {
        // No other agent to retry on: the first failure is the one that explains what happened.
        if (failed !== undefined) throw blame(toGatewayError(failed, request), failedOn!);
        throw error;
      }
      tried.add(agent.agentId);
      try {
        const reply = await this.#attempt(agent, request);
        return { ...reply, agent, attempts: attempt };
      } catch (error) {
        // Every stream of a dead session fails with the session's one error object: it names the death.
        if (isTunnelError(error) && error.code === "LINK_DEAD") this.#poison.suspect(fingerprintOf(request), error);
        const again = attempt === 1 && this.#mayRetry(request, error);
        if (!again) throw blame(toGatewayError(error, request), agent);
        failed = error;
        failedOn = agent;
      }
    }
  }

  #mayRetry(request: RouteRequest, error: unknown): boolean {
    if (!isTunnelError(error) || !error.retryable || request.signal.aborted) return false;
    // The agent's own failure mid-body (a TIMEOUT among them) is an answer, not a lost connection.
    if (error.remote) return false;
    if (Date.now() >= request.deadline) return false;
    if (error.code === "LINK_DEAD") return false;
    if (error.code === "REFUSED") return request.body === null;
    return request.body === null && isIdempotent(request.op, request.args);
  }

  async #attempt(agent: LiveAgent, request: RouteRequest): Promise<{ meta: Record<string, unknown>; body: ReplyBody }> {
    let stream: Stream;
    try {
      stream = agent.session.open({
        op: request.op,
        profile: request.profile,
        args: request.args,
        requestId: request.requestId,
        deadline: request.deadline,
      });
    } catch (error) {
      throw isTunnelError(error) ? error : new TunnelError("SESSION_CLOSED", "agent connection is closing", { cause: error });
    }
    agent.inFlight++;
    void stream.closed.then(() => agent.inFlight--);

    const cancel = () => stream.reset(ResetCode.CANCELLED, "caller went away");
    request.signal.addEventListener("abort", cancel, { once: true });
    void stream.closed.then(() => request.signal.removeEventListener("abort", cancel));
    // The agent enforces the deadline itself; this is the backstop if it never answers. For
    // answers that stream as long as the caller reads, it stops once the head is in.
    const backstop = setTimeout(() => stream.reset(ResetCode.CANCELLED, "deadline passed"), Math.max(0, request.deadline - Date.now()) + 2000);
    void stream.closed.then(() => clearTimeout(backstop));

    if (request.body) {
      request.body.pipeTo(stream.writable).catch(() => stream.reset(ResetCode.CANCELLED, "request body failed"));
    } else {
      void stream.end().catch(() => {});
    }

    const { head, body } = await stream.readReplyHead().catch((error: unknown) => {
      throw stream.signal.aborted ? stream.signal.reason : error;
    });
    if (deadlineScope(request.op) !== "reply") clearTimeout(backstop);
    if (!head.ok) {
      stream.reset(ResetCode.CANCELLED, "");
      throw remoteError(head);
    }
    const meta = head.meta ?? {};
    if (request.body !== null || !isIdempotent(request.op, request.args)) return { meta, body };
    // Gathered before the answer is committed to the caller, so a failure here can still be retried.
    await body.gather(this.#prefetchBytes).catch((error: unknown) => {
      throw stream.signal.aborted ? stream.signal.reason : error;
    });
    return { meta, body };
  }
}

function offers(agent: LiveAgent, kind: ProfileKindName, profile: string): boolean {
  return agent.info.profiles.some((p) => p.name === profile && p.kind === kind);
}

function describeKind(kind: ProfileKindName): string {
  return { databases: "database", files: "files", http: "http", scripts: "scripts", extensions: "extension" }[kind];
}

/** Names the agent on the error the caller gets (`x-outpost-agent`, the access line). */
function blame(error: GatewayError, agent: LiveAgent): GatewayError {
  error.agent ??= agent.agentName;
  return error;
}

/**
 * The agent's own error. A TIMEOUT is never retryable, whatever the agent said: the work ran
 * until its deadline, and a client that retries what is retryable would run it again on
 * the other agent of the group for an answer nobody waits for (issue 12.5).
 */
function remoteError(head: Extract<ReplyHead, { ok: false }>): GatewayError {
  const { code, message, retryable } = head.error;
  return new GatewayError(code === "INTERNAL" ? "AGENT_ERROR" : code, message, { retryable: code === "TIMEOUT" ? false : retryable });
}

/**
 * The caller-facing error for a failed attempt. When the agent's connection was lost after
 * a request that changes things was sent, nobody knows whether it ran: that is said
 * plainly (OUTCOME_UNKNOWN, not retryable) rather than inviting a retry that could run it
 * twice. A read, or a request the agent refused before starting, is safe to retry.
 */
export function toGatewayError(error: unknown, request: Pick<RouteRequest, "signal" | "op" | "args" | "body">): GatewayError {
  if (error instanceof GatewayError) return error;
  if (request.signal.aborted) return new GatewayError("CANCELLED", "the caller cancelled the request", { cause: error });
  if (isTunnelError(error)) {
    if (error.remote) return remoteError({ ok: false, error: error.remote });
    if (error.code === "CANCELLED") return new GatewayError("TIMEOUT", "the agent did not answer before the deadline", { retryable: false, cause: error });
    // Refused before anything was sent: neither lost nor worth a retry.
    if (error.code === "HEADER_TOO_LARGE") return new GatewayError("TOO_LARGE", error.message, { cause: error });
    const safe = error.code === "REFUSED" || (request.body === null && isIdempotent(request.op, request.args));
    if (!safe) {
      return new GatewayError(
        "OUTCOME_UNKNOWN",
        `the agent's connection was lost while it handled this ${request.op} request; it may or may not have been applied — check before sending it again`,
        { retryable: false, cause: error },
      );
    }
    if (error.code === "LINK_DEAD") {
      return new GatewayError(
        "AGENT_UNRESPONSIVE",
        `the agent stopped answering while it handled this ${request.op} request (${error.message}); it was not sent to another agent because the request itself may have frozen it`,
        { retryable: false, cause: error },
      );
    }
    return new GatewayError("AGENT_UNAVAILABLE", `the agent's connection failed: ${error.message}`, { retryable: true, cause: error });
  }
  return new GatewayError("INTERNAL", "internal error", { cause: error });
}
