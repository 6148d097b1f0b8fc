/**
 * @module
 * The gateway's errors and how they become HTTP answers. Every failure a caller sees is
 * `{"error": {"code", "message", "retryable", "requestId"}}` with a status that tells
 * the truth: 401 for who-are-you, 403 for not-allowed, 404/409/410 for the state of the
 * thing asked about, 429 with `Retry-After`, 5xx only when the gateway itself failed.
 * Unexpected errors keep their message to the log; the caller reads "internal error".
 */
import type { Logger } from "../log/logger.ts";
import { MAX_JSON_DEPTH, nestsDeeperThan } from "../protocol/json.ts";

/** Stable codes and their HTTP status. Codes shared with connectors map the same way here. */
export const STATUS_BY_CODE: Readonly<Record<string, number>> = {
  BAD_REQUEST: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  ALREADY_EXISTS: 409,
  CONFLICT: 409,
  GONE: 410,
  TOO_LARGE: 413,
  // A request that froze an agent; see router.ts.
  QUARANTINED: 422,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  UNAVAILABLE: 503,
  TIMEOUT: 504,
  // Codes an agent's connector reports (src/connectors/errors.ts), and the gateway's own
  // for failures on the agent's side of the tunnel.
  QUERY_FAILED: 400,
  FORBIDDEN_PATH: 403,
  READ_ONLY: 403,
  CANCELLED: 499,
  AUTH_FAILED: 502,
  UNREACHABLE: 502,
  AGENT_ERROR: 502,
  AGENT_UNAVAILABLE: 502,
  AGENT_UNRESPONSIVE: 502,
  OUTCOME_UNKNOWN: 502,
};

const RETRYABLE_BY_DEFAULT = new Set(["RATE_LIMITED", "UNAVAILABLE", "TIMEOUT"]);

export interface GatewayErrorOptions {
  /** Defaults to `true` for RATE_LIMITED, UNAVAILABLE and TIMEOUT, else `false`. */
  retryable?: boolean;
  cause?: unknown;
  /** Sent as `Retry-After` (seconds) with the answer. */
  retryAfterSeconds?: number;
  /** The request field a BAD_REQUEST is about (`name`, `settings.allowedCidrs`), sent as `error.field`. */
  field?: string;
  /** The agent whose answer (or failure to answer) this is; sent as `x-outpost-agent`. */
  agent?: string;
}

/** An error whose message is safe to show the caller (it never holds a secret). */
export class GatewayError extends Error {
  override readonly name = "GatewayError";
  readonly code: string;
  readonly retryable: boolean;
  readonly retryAfterSeconds?: number;
  readonly field?: string;
  /**
   * Name of the agent that produced this error (its error head, its timeout, its lost
   * connection), sent as `x-outpost-agent` so the caller knows whose log to open. Set by
   * whoever knows the agent (the router), hence not readonly.
   */
  agent?: string;

  constructor(code: string, message: string, options: GatewayErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.code = code;
    this.retryable = options.retryable ?? RETRYABLE_BY_DEFAULT.has(code);
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.field = options.field;
    this.agent = options.agent;
  }

  /** The HTTP status for this error's code; unknown codes are the gateway's fault (500). */
  get status(): number {
    return STATUS_BY_CODE[this.code] ?? 500;
  }
}

export function isGatewayError(error: unknown): error is GatewayError {
  return error instanceof GatewayError;
}

/** The code an error answer carries for `error`: its own for a GatewayError, else INTERNAL. */
export function errorCode(error: unknown): string {
  return isGatewayError(error) ? error.code : "INTERNAL";
}

/** A JSON answer with `content-type: application/json` and its `content-length` (the access line reads it). */
export function jsonResponse(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  const text = JSON.stringify(body);
  return new Response(text, {
    status,
    headers: { "content-type": "application/json; charset=utf-8", "content-length": String(Buffer.byteLength(text)), ...headers },
  });
}

/**
 * Turns any thrown value into the JSON error answer. GatewayErrors keep their code and
 * message; anything else is logged (with its message) and answered as INTERNAL.
 */
export function errorResponse(error: unknown, requestId: string, log?: Logger): Response {
  const known = isGatewayError(error)
    ? error
    : new GatewayError("INTERNAL", "internal error", { cause: error });
  if (!isGatewayError(error)) log?.error("unexpected error", { requestId, error });
  // `x-outpost-error` tells Outpost's own error answers from a backend's 4xx/5xx passed
  // through (both may name an agent): the client throws the first and returns the second.
  const headers: Record<string, string> = { "x-request-id": requestId, "x-outpost-error": known.code };
  if (known.agent !== undefined) headers["x-outpost-agent"] = known.agent;
  if (known.retryAfterSeconds !== undefined) headers["retry-after"] = String(known.retryAfterSeconds);
  const body = { error: { code: known.code, message: known.message, retryable: known.retryable, requestId, ...(known.field ? { field: known.field } : {}) } };
  return jsonResponse(body, known.status, headers);
}

/** Largest JSON body the admin API reads. */
export const MAX_JSON_BODY_BYTES = 64 * 1024;

/**
 * Reads a JSON object body. An empty body is `{}` so `POST .../enable` needs none.
 * Throws BAD_REQUEST for bad JSON, a non-object, or nesting deeper than
 * {@link MAX_JSON_DEPTH} (checked before parsing: nothing deeper is ever sent on), and
 * TOO_LARGE past `maxBytes` (defaults to {@link MAX_JSON_BODY_BYTES}). `onSize` hears the
 * body's size in bytes once it is read (the invoke API counts it for `/metrics`).
 */
export async function readJsonObject(
  request: Request, maxBytes = MAX_JSON_BODY_BYTES, onSize: (bytes: number) => void = () => {},
): Promise<Record<string, unknown>> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > maxBytes) throw new GatewayError("TOO_LARGE", `request body is larger than ${maxBytes} bytes`);
  const text = await readBounded(request, maxBytes, onSize);
  if (text.trim() === "") return {};
  if (nestsDeeperThan(text, MAX_JSON_DEPTH)) {
    throw new GatewayError("BAD_REQUEST", `request body nests arrays or objects more than ${MAX_JSON_DEPTH} levels deep; flatten it`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new GatewayError("BAD_REQUEST", "request body is not valid JSON", { cause });
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new GatewayError("BAD_REQUEST", "request body must be a JSON object");
  }
  return value as Record<string, unknown>;
}

/**
 * Reads the body as text, stopping as soon as it passes `maxBytes`: a chunked body has no
 * Content-Length to check up front, and reading it whole first would let anyone (these
 * bodies are read before authentication on some routes) fill the gateway's memory.
 */
async function readBounded(request: Request, maxBytes: number, onSize: (bytes: number) => void): Promise<string> {
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      throw new GatewayError("TOO_LARGE", `request body is larger than ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  onSize(size);
  return new TextDecoder().decode(Buffer.concat(chunks));
}
