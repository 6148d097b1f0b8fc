/**
 * @module
 * When and how long the client waits before trying an idempotent call again. Only calls
 * that read (query, list, stat, read, admin GETs) are retried, only when the error says
 * `retryable`, and with full jitter so many callers hit by one outage do not come back
 * in step. A `Retry-After` longer than the longest wait is obeyed by giving up instead.
 */
import { CLIENT_CODES, OutpostError } from "./errors.ts";

export interface RetryPolicy {
  /** Extra attempts after the first. Defaults to `1`; `0` turns retries off. */
  retries: number;
  /** First backoff ceiling, doubled per attempt. Defaults to `250` ms. */
  baseDelayMs: number;
  /** Longest single wait, `Retry-After` included. Defaults to `5000` ms. */
  maxDelayMs: number;
  /** A number in [0, 1); injected by tests. Defaults to `Math.random`. */
  random: () => number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { retries: 1, baseDelayMs: 250, maxDelayMs: 5000, random: Math.random };

/** How long to wait before attempt `attempt + 1` (attempt counts from 0), or `undefined` to give up. */
export function retryDelay(policy: RetryPolicy, attempt: number, error: unknown): number | undefined {
  if (attempt >= policy.retries) return undefined;
  if (!(error instanceof OutpostError) || !error.retryable) return undefined;
  if (error.retryAfterSeconds !== undefined) {
    const asked = error.retryAfterSeconds * 1000;
    return asked <= policy.maxDelayMs ? asked : undefined;
  }
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.floor(policy.random() * ceiling);
}

/** Waits `ms`, or rejects with an ABORTED error as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const aborted = () => reject(new OutpostError(CLIENT_CODES.ABORTED, "aborted by the caller while waiting to retry", { cause: signal?.reason }));
    if (signal?.aborted) return aborted();
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      aborted();
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
