/**
 * @module
 * The HTTP connector: forwards one request to `base_url` + the caller's relative path
 * (http-url.ts decides what may be appended), with both bodies streamed. Redirects are
 * followed by hand, and only while they stay under `base_url` and pass the caller's path
 * checks; any other redirect is an error (FORBIDDEN_PATH) rather than a response, so a backend cannot send the agent — or
 * the caller — off to another host. Requests connect directly, ignoring proxy variables:
 * the backends are inside the network.
 */
import { readFileSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import type { HttpProfile } from "../../config/types.ts";
import type { CallContext, HttpConnector, HttpForwardRequest, HttpForwardResponse } from "../connector.ts";
import { abortReason, throwIfAborted } from "../context.ts";
import type { ConnectorDeps } from "../deps.ts";
import { ConnectorError } from "../errors.ts";
import { mapFetchError } from "./http-errors.ts";
import { requestHeaders, responseHeaders } from "./http-headers.ts";
import { normaliseBase, redirectUrl, targetUrl } from "./http-url.ts";

export interface HttpConnectorOptions {
  baseUrl: string;
  /** Sent with every request unless the caller sends the same header. */
  headers?: Record<string, string>;
  /** PEM text (not paths) of extra CA, client certificate and key. */
  tls?: { ca?: string; cert?: string; key?: string; verify?: boolean };
  /** Milliseconds until the response headers arrive. Defaults to `10_000`. */
  connectTimeoutMs?: number;
  /** Milliseconds for the whole exchange, body included. Defaults to `60_000`. */
  timeoutMs?: number;
  /** Redirects followed under base_url. Defaults to `5`. */
  maxRedirects?: number;
}

const NO_BODY_STATUS = new Set([101, 204, 205, 304]);

export class ForwardingHttpConnector implements HttpConnector {
  readonly kind = "http";
  readonly #options: HttpConnectorOptions;
  readonly #base: URL;

  constructor(options: HttpConnectorOptions) {
    this.#options = options;
    this.#base = normaliseBase(options.baseUrl);
  }

  async close(): Promise<void> {}

  /** A HEAD of base_url: any HTTP answer counts as reachable. */
  async health(ctx: CallContext): Promise<void> {
    const response = await this.forward({ method: "HEAD", path: "", headers: [], body: null }, ctx);
    await response.body?.cancel();
  }

  async forward(request: HttpForwardRequest, ctx: CallContext): Promise<HttpForwardResponse> {
    throwIfAborted(ctx.signal);
    let url = targetUrl(this.#base, request.path);
    let method = request.method.toUpperCase();
    let body = request.body;
    const headers = requestHeaders(this.#options.headers, request.headers);
    const timers = new Timers(ctx.signal, this.#options.connectTimeoutMs ?? 10_000, this.#options.timeoutMs ?? 60_000);

    try {
      for (let hop = 0; ; hop++) {
        const response = await this.#fetch(url, method, headers, body, timers);
        const location = response.headers.get("location");
        if (response.status < 300 || response.status > 399 || response.status === 304 || !location) {
          timers.headersArrived();
          return {
            status: response.status,
            headers: responseHeaders(response.headers),
            // watch(null) clears the total timer: left armed, it held the process open for a minute after a HEAD.
            body: timers.watch(NO_BODY_STATUS.has(response.status) || method === "HEAD" ? null : response.body),
          };
        }
        await response.body?.cancel();
        const next = redirectUrl(this.#base, url, location, response.status);
        if (hop >= (this.#options.maxRedirects ?? 5)) throw new ConnectorError("UNREACHABLE", "too many redirects", { retryable: false });
        if (response.status === 303 || ((response.status === 301 || response.status === 302) && method === "POST")) {
          method = method === "HEAD" ? "HEAD" : "GET";
          body = null;
          headers.delete("content-type");
        } else if (body) {
          throw new ConnectorError("BAD_REQUEST", `the backend answered ${response.status}; a streamed body cannot be sent again`);
        }
        url = next;
      }
    } catch (error) {
      timers.clear();
      if (ctx.signal.aborted) throw abortReason(ctx.signal);
      if (timers.expired) throw timers.expired;
      throw mapFetchError(error);
    }
  }

  async #fetch(url: URL, method: string, headers: Headers, body: ReadableStream<Uint8Array> | null, timers: Timers): Promise<Response> {
    const tls = this.#options.tls;
    return await fetch(url, {
      method,
      headers,
      body: method === "GET" || method === "HEAD" ? null : body,
      // Bun needs `duplex` to send a ReadableStream body; the type lacks it.
      ...({ duplex: "half" } as object),
      redirect: "manual",
      decompress: false,
      proxy: false,
      signal: timers.signal,
      tls: { ca: tls?.ca, cert: tls?.cert, key: tls?.key, rejectUnauthorized: tls?.verify ?? true },
    });
  }
}

/** The head timeout, the total timeout and the caller's signal as one signal. */
class Timers {
  readonly #controller = new AbortController();
  readonly signal: AbortSignal;
  #head: ReturnType<typeof setTimeout> | undefined;
  #total: ReturnType<typeof setTimeout> | undefined;
  expired: ConnectorError | undefined;

  constructor(parent: AbortSignal, headMs: number, totalMs: number) {
    this.signal = AbortSignal.any([parent, this.#controller.signal]);
    this.#head = setTimeout(() => this.#expire("the backend did not answer in time"), headMs);
    this.#total = setTimeout(() => this.#expire("the backend exchange took too long"), totalMs);
  }

  headersArrived(): void {
    clearTimeout(this.#head);
  }

  clear(): void {
    clearTimeout(this.#head);
    clearTimeout(this.#total);
  }

  /** Passes the body through and clears the total timer when it ends. */
  watch(body: ReadableStream<Uint8Array> | null): ReadableStream<Uint8Array> | null {
    if (!body) return this.clear(), null;
    return body.pipeThrough(new TransformStream<Uint8Array, Uint8Array>({ flush: () => this.clear() }));
  }

  #expire(message: string): void {
    this.expired = new ConnectorError("TIMEOUT", message);
    this.#controller.abort(this.expired);
  }
}

/** Profile TLS values are file paths or PEM text; files are read once, here. */
function pem(value: string | undefined, baseDir: string | undefined): string | undefined {
  if (value === undefined || value.includes("-----BEGIN")) return value;
  return readFileSync(isAbsolute(value) ? value : resolve(baseDir ?? ".", value), "utf8");
}

/** The factory the registry calls for an `http:` profile. */
export function createHttpConnector(profile: HttpProfile, deps: ConnectorDeps): ForwardingHttpConnector {
  return new ForwardingHttpConnector({
    baseUrl: profile.base_url,
    headers: profile.headers,
    tls: profile.tls && {
      ca: pem(profile.tls.ca, deps.baseDir),
      cert: pem(profile.tls.cert, deps.baseDir),
      key: pem(profile.tls.key, deps.baseDir),
      verify: profile.tls.verify,
    },
    connectTimeoutMs: profile.connect_timeout === undefined ? undefined : profile.connect_timeout * 1000,
    timeoutMs: profile.timeout === undefined ? undefined : profile.timeout * 1000,
  });
}
