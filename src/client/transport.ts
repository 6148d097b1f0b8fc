/**
 * @module
 * The one place the client talks HTTP: the base URL, the bearer token, the gateway's CA
 * (Bun's `fetch(url, {tls: {ca}})`), a timer until the answer's headers arrive, the
 * caller's abort signal, failed answers turned into {@link OutpostError}s, and retries of
 * idempotent calls. Bodies are never buffered here; callers read or stream them.
 */
import { CLIENT_CODES, OutpostError, OutpostPermissionError, errorFromResponse, wrapFailure } from "./errors.ts";
import { retryDelay, sleep, type RetryPolicy } from "./retry.ts";

/** What the client passes to `fetch`: the standard init plus Bun's `tls` and `duplex`. */
export type ClientRequestInit = RequestInit & { tls?: { ca?: string | string[] }; duplex?: "half" };

/** A `fetch` the client can use (the global one by default; a test or a proxy may wrap it). */
export type FetchLike = (input: string, init: ClientRequestInit) => Promise<Response>;

/** Options every call takes. */
export interface CallOptions {
  /** Aborts the call, its retries and its body. */
  signal?: AbortSignal;
  /** Sent as `x-request-id`; the gateway uses it in its logs and error answers. */
  requestId?: string;
}

export interface TransportOptions {
  url: string;
  token: string;
  ca?: string | string[];
  fetch: FetchLike;
  timeoutMs: number;
  retry: RetryPolicy;
}

export interface SendRequest extends CallOptions {
  method: string;
  /** Already percent-encoded, starting with `/`. */
  path: string;
  /**
   * A path prefix the final URL must stay under. The URL parser resolves `..` (and
   * `%2e%2e`, and `\` as `/`), so a caller's path could otherwise reach another route.
   */
  scope?: string;
  query?: Record<string, string | undefined>;
  headers?: RequestInit["headers"];
  body?: RequestInit["body"];
  /** Retried on a retryable failure; only for calls that change nothing. */
  idempotent?: boolean;
  /** Milliseconds to wait for the answer's headers; defaults to the client's `timeoutMs`. */
  timeoutMs?: number;
  /** Returns the answer as is when this says so, even when it is not 2xx. */
  passThrough?: (response: Response) => boolean;
}

export class Transport {
  readonly #options: TransportOptions;

  constructor(options: TransportOptions) {
    this.#options = { ...options, url: options.url.replace(/\/+$/, "") };
  }

  /** Sends the request (retrying idempotent ones) and resolves with a 2xx answer, or throws. */
  async send(request: SendRequest): Promise<Response> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.#attempt(request);
      } catch (error) {
        const delay = request.idempotent && !request.signal?.aborted ? retryDelay(this.#options.retry, attempt, error) : undefined;
        if (delay === undefined) throw error;
        await sleep(delay, request.signal);
      }
    }
  }

  /** Sends the request and parses the 2xx answer as JSON. */
  async json<T>(request: SendRequest): Promise<T> {
    const response = await this.send({ ...request, headers: withAccept(request.headers, "application/json") });
    return readJson<T>(response, request.signal);
  }

  async #attempt(request: SendRequest): Promise<Response> {
    const timer = new AbortController();
    const timeoutMs = request.timeoutMs ?? this.#options.timeoutMs;
    const timeout = setTimeout(() => timer.abort(), timeoutMs);
    const signal = request.signal ? AbortSignal.any([request.signal, timer.signal]) : timer.signal;
    const streamed = request.body instanceof ReadableStream;
    let response: Response;
    try {
      response = await this.#options.fetch(this.#url(request), {
        method: request.method,
        headers: this.#headers(request),
        body: request.body ?? null,
        signal,
        ...(this.#options.ca ? { tls: { ca: this.#options.ca } } : {}),
        ...(streamed ? { duplex: "half" as const } : {}),
      });
    } catch (error) {
      if (timer.signal.aborted && !request.signal?.aborted) {
        throw new OutpostError(CLIENT_CODES.CLIENT_TIMEOUT, `no answer from the gateway within ${timeoutMs} ms`, { retryable: true, cause: error });
      }
      throw wrapFailure(error, CLIENT_CODES.NETWORK, `${request.method} ${request.path} failed`, request.signal);
    } finally {
      // The timer covers the wait for headers only; a long body is bounded by the caller's signal.
      clearTimeout(timeout);
    }
    if (response.ok || request.passThrough?.(response)) return response;
    throw await errorFromResponse(response);
  }

  #url(request: SendRequest): string {
    const search = new URLSearchParams();
    for (const [name, value] of Object.entries(request.query ?? {})) if (value !== undefined) search.set(name, value);
    const query = search.size > 0 ? `?${search}` : "";
    const url = `${this.#options.url}${request.path}${query}`;
    if (request.scope !== undefined) {
      const scope = new URL(`${this.#options.url}${request.scope}`).pathname;
      if (!new URL(url).pathname.startsWith(scope)) {
        throw new OutpostPermissionError("FORBIDDEN_PATH", `the path leaves ${request.scope} once resolved ("." or ".." segments)`);
      }
    }
    return url;
  }

  #headers(request: SendRequest): Headers {
    const headers = new Headers(request.headers);
    headers.set("authorization", `Bearer ${this.#options.token}`);
    if (request.requestId) headers.set("x-request-id", request.requestId);
    return headers;
  }
}

/** Parses a JSON answer; a cut or malformed body is an OutpostError naming the request id. */
export async function readJson<T>(response: Response, signal?: AbortSignal): Promise<T> {
  const requestId = response.headers.get("x-request-id") ?? undefined;
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    throw withRequestId(wrapFailure(error, CLIENT_CODES.STREAM_BROKEN, "the answer was cut", signal), requestId, response.status);
  }
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new OutpostError(CLIENT_CODES.BAD_ANSWER, "the answer is not valid JSON (cut short?)", { requestId, status: response.status, cause: error });
  }
}

function withRequestId(error: OutpostError, requestId: string | undefined, status: number): OutpostError {
  if (error.requestId || !requestId) return error;
  return new OutpostError(error.code, error.message, { retryable: error.retryable, requestId, status, cause: error.cause });
}

function withAccept(headers: RequestInit["headers"] | undefined, accept: string): Headers {
  const merged = new Headers(headers);
  if (!merged.has("accept")) merged.set("accept", accept);
  return merged;
}

/** Encodes a group, profile or script name as one path segment; `""`, `.` and `..` are refused. */
export function segment(name: string): string {
  if (name === "" || name === "." || name === "..") throw new OutpostError("BAD_REQUEST", `"${name}" is not a valid name`);
  return encodeURIComponent(name);
}

/**
 * Encodes a `/`-separated file path segment by segment, keeping the slashes. A `..`
 * segment is refused here, as the agent would: a URL would silently resolve it.
 */
export function filePath(path: string): string {
  const segments = path.replace(/^\/+/, "").split("/");
  if (segments.includes("..")) throw new OutpostPermissionError("FORBIDDEN_PATH", `"${path}" has a ".." segment`);
  return segments.map(encodeURIComponent).join("/");
}
