/**
 * @module
 * The last hour of invoke traffic per group, for the console's rates and chart: a ring of
 * 10-second buckets (requests, errors, latency sum and max). Prometheus keeps the long
 * history; this is only what an operator glances at, so it lives in memory and starts
 * empty after a restart.
 */

/** One bucket of the series the console draws. */
export interface HistoryPoint {
  /** Epoch ms of the bucket's start. */
  at: number;
  requests: number;
  /** Requests that failed on the gateway's or the agent's side (5xx outcomes, timeouts). */
  errors: number;
  /** Mean time to the end of the reply, ms; `null` when there were no requests. */
  meanLatencyMs: number | null;
  maxLatencyMs: number | null;
}

interface Bucket {
  start: number;
  requests: number;
  errors: number;
  latencySumMs: number;
  latencyMaxMs: number;
}

/** Outcomes counted as errors: the caller did nothing wrong and still got no answer. */
const ERROR_OUTCOMES = new Set(["agent_error", "unavailable", "timeout"]);

export interface RequestHistoryOptions {
  /** Bucket width. Defaults to 10,000 ms. */
  bucketMs?: number;
  /** How far back the series goes. Defaults to 3,600,000 ms (one hour). */
  spanMs?: number;
  /** Injected for tests. Defaults to `Date.now`. */
  now?: () => number;
}

export class RequestHistory {
  readonly bucketMs: number;
  readonly #slots: number;
  readonly #now: () => number;
  readonly #groups = new Map<string, Bucket[]>();

  constructor(options: RequestHistoryOptions = {}) {
    this.bucketMs = options.bucketMs ?? 10_000;
    this.#slots = Math.ceil((options.spanMs ?? 3_600_000) / this.bucketMs);
    this.#now = options.now ?? Date.now;
  }

  /** Counts one finished request of `group` (the group's name). */
  record(group: string, outcome: string, seconds: number): void {
    const start = this.#start(this.#now());
    const ring = this.#groups.get(group) ?? [];
    this.#groups.set(group, ring);
    const slot = (start / this.bucketMs) % this.#slots;
    let bucket = ring[slot];
    if (!bucket || bucket.start !== start) {
      bucket = { start, requests: 0, errors: 0, latencySumMs: 0, latencyMaxMs: 0 };
      ring[slot] = bucket;
    }
    const ms = seconds * 1000;
    bucket.requests++;
    if (ERROR_OUTCOMES.has(outcome)) bucket.errors++;
    bucket.latencySumMs += ms;
    bucket.latencyMaxMs = Math.max(bucket.latencyMaxMs, ms);
  }

  /** The whole span, oldest bucket first, empty buckets included. */
  series(group: string): HistoryPoint[] {
    const ring = this.#groups.get(group) ?? [];
    const newest = this.#start(this.#now());
    const points: HistoryPoint[] = [];
    for (let index = this.#slots - 1; index >= 0; index--) {
      const start = newest - index * this.bucketMs;
      const bucket = ring[(start / this.bucketMs) % this.#slots];
      const live = bucket?.start === start ? bucket : undefined;
      points.push({
        at: start,
        requests: live?.requests ?? 0,
        errors: live?.errors ?? 0,
        meanLatencyMs: live ? round(live.latencySumMs / live.requests) : null,
        maxLatencyMs: live ? round(live.latencyMaxMs) : null,
      });
    }
    return points;
  }

  /** Requests over the last minute and the share of them that failed (0 when idle). */
  summary(group: string): { requestsPerMinute: number; errorRate: number } {
    const recent = this.series(group).slice(-Math.ceil(60_000 / this.bucketMs));
    const requests = recent.reduce((sum, point) => sum + point.requests, 0);
    const errors = recent.reduce((sum, point) => sum + point.errors, 0);
    return { requestsPerMinute: requests, errorRate: requests === 0 ? 0 : round(errors / requests) };
  }

  #start(now: number): number {
    return now - (now % this.bucketMs);
  }
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
