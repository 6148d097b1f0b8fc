/**
 * @module
 * The client's one error type. Every failure a caller sees is an {@link OutpostError}
 * with the gateway's stable `code` (`NOT_FOUND`, `QUERY_FAILED`, …), whether trying again
 * can help (`retryable`), the gateway's `requestId` for its logs, and the HTTP `status`.
 * Subclasses name the categories worth catching on their own (`instanceof
 * OutpostAuthError`); codes the client makes itself are listed in {@link CLIENT_CODES}.
 */

/** Codes the client itself reports (the gateway never sends these). */
export const CLIENT_CODES = {
  /** The request never got an HTTP answer (refused connection, TLS failure, DNS). Retryable. */
  NETWORK: "NETWORK",
  /** The answer was cut before its end (the body stopped, or an NDJSON summary is missing). */
  STREAM_BROKEN: "STREAM_BROKEN",
  /** The answer did not have the shape the API promises. */
  BAD_ANSWER: "BAD_ANSWER",
  /** The caller's `signal` aborted the call. */
  ABORTED: "ABORTED",
  /** No answer headers within the client's `timeoutMs`. Retryable. */
  CLIENT_TIMEOUT: "CLIENT_TIMEOUT",
} as const;

export interface OutpostErrorOptions {
  /** Defaults to `false`. */
  retryable?: boolean;
  requestId?: string;
  /** The HTTP status of the answer; `0` when there was none. Defaults to `0`. */
  status?: number;
  /** Seconds the gateway asked to wait (`Retry-After`), if it said. */
  retryAfterSeconds?: number;
  cause?: unknown;
}

/** A failed Outpost call. `message` is the gateway's, safe to log (it never holds a secret). */
export class OutpostError extends Error {
  override readonly name: string = "OutpostError";
  readonly code: string;
  readonly retryable: boolean;
  readonly requestId?: string;
  /** HTTP status of the answer (`0` without one; `200` for an error reported mid-stream). */
  readonly status: number;
  readonly retryAfterSeconds?: number;

  constructor(code: string, message: string, options: OutpostErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.requestId = options.requestId;
    this.status = options.status ?? 0;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

/** 401: no token, an unknown token or a revoked one. */
export class OutpostAuthError extends OutpostError {
  override readonly name = "OutpostAuthError";
}
/** 403: the token does not cover the group, the route needs an admin token, or a path is refused. */
export class OutpostPermissionError extends OutpostError {
  override readonly name = "OutpostPermissionError";
}
/** 404 or 410: no such group, profile, agent, file, script or token (or it expired). */
export class OutpostNotFoundError extends OutpostError {
  override readonly name = "OutpostNotFoundError";
}
/** 409: a duplicate name or a state that forbids the change. */
export class OutpostConflictError extends OutpostError {
  override readonly name = "OutpostConflictError";
}
/** 400 `QUERY_FAILED`: the database refused the statement (syntax, constraint, overflow…). */
export class OutpostQueryError extends OutpostError {
  override readonly name = "OutpostQueryError";
}
/** 429, 502, 503, 504 and network failures: the way to the data is down or busy right now. */
export class OutpostUnavailableError extends OutpostError {
  override readonly name = "OutpostUnavailableError";
}

/** The best-fitting class for a code and status; plain {@link OutpostError} otherwise. */
export function outpostError(code: string, message: string, options: OutpostErrorOptions = {}): OutpostError {
  const status = options.status ?? 0;
  if (code === "QUERY_FAILED") return new OutpostQueryError(code, message, options);
  if (status === 401) return new OutpostAuthError(code, message, options);
  if (status === 403) return new OutpostPermissionError(code, message, options);
  if (status === 404 || status === 410) return new OutpostNotFoundError(code, message, options);
  if (status === 409) return new OutpostConflictError(code, message, options);
  if ([429, 502, 503, 504].includes(status) || code === CLIENT_CODES.NETWORK || code === CLIENT_CODES.CLIENT_TIMEOUT) {
    return new OutpostUnavailableError(code, message, options);
  }
  return new OutpostError(code, message, options);
}

/** The code the gateway would give a bare status (a HEAD answer has no body to read it from). */
const CODE_BY_STATUS: Readonly<Record<number, string>> = {
  400: "BAD_REQUEST",
  401: "UNAUTHENTICATED",
  403: "FORBIDDEN",
  404: "NOT_FOUND",
  405: "METHOD_NOT_ALLOWED",
  409: "CONFLICT",
  410: "GONE",
  413: "TOO_LARGE",
  429: "RATE_LIMITED",
  499: "CANCELLED",
  502: "AGENT_ERROR",
  503: "UNAVAILABLE",
  504: "TIMEOUT",
};

const RETRYABLE_STATUSES = new Set([429, 503, 504]);

/**
 * Reads a failed answer into an error: the JSON body `{error: {code, message, retryable,
 * requestId}}` when there is one, else a code and `retryable` guessed from the status
 * (HEAD answers, or a proxy's HTML page in front of the gateway).
 */
export async function errorFromResponse(response: Response): Promise<OutpostError> {
  const retryAfter = Number(response.headers.get("retry-after") ?? "NaN");
  const base = {
    status: response.status,
    requestId: response.headers.get("x-request-id") ?? undefined,
    retryAfterSeconds: Number.isFinite(retryAfter) ? retryAfter : undefined,
  };
  const text = await response.text().catch(() => "");
  const body = parseErrorBody(text);
  if (body) {
    return outpostError(body.code, body.message, { ...base, retryable: body.retryable, requestId: body.requestId ?? base.requestId });
  }
  const code = CODE_BY_STATUS[response.status] ?? `HTTP_${response.status}`;
  const message = `the gateway answered ${response.status} ${response.statusText}`.trim();
  return outpostError(code, message, { ...base, retryable: RETRYABLE_STATUSES.has(response.status) });
}

export interface ErrorBody {
  code: string;
  message: string;
  retryable: boolean;
  requestId?: string;
}

/** The `error` member of a JSON error body or an NDJSON error line; `undefined` if it is not one. */
export function readErrorObject(value: unknown): ErrorBody | undefined {
  if (!value || typeof value !== "object") return undefined;
  const error = (value as { error?: unknown }).error as Partial<ErrorBody> | undefined;
  if (!error || typeof error.code !== "string") return undefined;
  return {
    code: error.code,
    message: typeof error.message === "string" ? error.message : error.code,
    retryable: error.retryable === true,
    requestId: typeof error.requestId === "string" ? error.requestId : undefined,
  };
}

function parseErrorBody(text: string): ErrorBody | undefined {
  try {
    return readErrorObject(JSON.parse(text));
  } catch {
    return undefined;
  }
}

/** Wraps what `fetch` or a body read threw; an abort by the caller stays recognisable. */
export function wrapFailure(error: unknown, code: string, what: string, signal?: AbortSignal): OutpostError {
  if (error instanceof OutpostError) return error;
  if (signal?.aborted) return new OutpostError(CLIENT_CODES.ABORTED, `${what}: aborted by the caller`, { cause: signal.reason ?? error });
  const detail = error instanceof Error ? error.message : String(error);
  return outpostError(code, `${what}: ${detail}`, { retryable: code === CLIENT_CODES.NETWORK, cause: error });
}
