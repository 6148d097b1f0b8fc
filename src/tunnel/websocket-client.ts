/**
 * @module
 * The agent's side of the link: dials the gateway with Bun's native WebSocket client
 * (TLS with a custom CA, optional HTTP CONNECT proxy, extra headers) and hands back a
 * `Connection`. Bun's client has no drain event, so the session polls `bufferedAmount`.
 */
import type { Connection } from "./connection.ts";
import { TunnelError } from "./errors.ts";
import { Relay } from "./relay.ts";

export interface WebSocketConnectOptions {
  headers?: Record<string, string>;
  /** PEM CA bundle to trust instead of the system store. */
  ca?: string;
  /** Skips certificate verification. For tests only; never the default. */
  insecureSkipVerify?: boolean;
  /** `http://user:pass@host:port` of an HTTP CONNECT proxy. */
  proxy?: string;
  /** Aborts the dial. */
  signal?: AbortSignal;
  /** Gives up if the socket is not open after this long. Defaults to 15 s. */
  timeoutMs?: number;
}

/** Opens a WebSocket to `url`; rejects with `TunnelError` CONNECT_FAILED (retryable). */
export function connectWebSocket(url: string, options: WebSocketConnectOptions = {}): Promise<Connection> {
  const ws = new WebSocket(url, {
    headers: options.headers,
    tls: { ca: options.ca, rejectUnauthorized: !options.insecureSkipVerify },
    proxy: options.proxy,
  });
  ws.binaryType = "arraybuffer";
  const relay = new Relay({
    send: (frame) => {
      if (ws.readyState === WebSocket.OPEN) ws.send(frame);
    },
    get bufferedAmount() {
      return ws.bufferedAmount;
    },
    close: (code, reason) => {
      if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) ws.close(code, reason);
    },
  });

  // Named by host only: the proxy URL may carry a password.
  const via = options.proxy ? ` through proxy ${new URL(options.proxy).host}` : "";
  return new Promise((resolve, reject) => {
    let opened = false;
    const fail = (message: string, cause?: unknown) => {
      if (opened) return;
      opened = true; // settled
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
      try {
        ws.close();
      } catch {}
      reject(new TunnelError("CONNECT_FAILED", message, { cause }));
    };
    const onAbort = () => fail("connect aborted", options.signal?.reason);
    const timer = setTimeout(() => fail("connect timed out"), options.timeoutMs ?? 15_000);
    options.signal?.addEventListener("abort", onAbort, { once: true });
    if (options.signal?.aborted) onAbort();

    ws.onopen = () => {
      if (opened) return;
      opened = true;
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
      resolve(relay);
    };
    ws.onerror = (event) => fail(`cannot connect to ${new URL(url).host}${via}: ${bunReason((event as ErrorEvent).message)}`);
    ws.onmessage = (event) => {
      if (typeof event.data === "string") return relay.transport.close(1003, "binary messages only");
      relay.message(new Uint8Array(event.data as ArrayBuffer));
    };
    ws.onclose = (event) => {
      fail(`connection closed before it opened (${event.code} ${event.reason})`);
      relay.close(event.code, event.reason);
    };
  });
}

/** Bun's message without its "WebSocket connection to '<url>' failed: " preamble. */
function bunReason(message: string | undefined): string {
  return (message ?? "error").replace(/^WebSocket connection to '[^']*' failed: /, "");
}
