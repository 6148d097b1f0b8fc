/**
 * @module
 * The last hour of invoke traffic per group, for the console's rates and chart: a ring of
 * 10-second buckets (requests, errors, latency sum and max). Besides, the last requests
 * themselves (`recent`), with the fields of their access lines, for the console's request
 * list and `GET /v1/groups/{group}/requests`. Prometheus and the log keep the long
 * history; this is only what an operator glances at, so it lives in memory and starts
 * empty after a restart.
 */
import type { AccessEntry, AccessRecorder } from "../access-log.ts";

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
  /** Requests kept for `recent`, all groups together (a busy group pushes out a quiet one's). Defaults to 2,000. */
  keepRequests?: number;
  /** Injected for tests. Defaults to `Date.now`. */
  now?: () => number;
}

/** What `recent` may be asked for; every field narrows the list. */
export interface RequestFilter {
  group: string;
  agent?: string;
  /** An exact status (`502`) or a class (`5`, for 5xx). */
  status?: { exact: number } | { class: number };
  /** At most this many, newest first. */
  limit: number;
}

/** An access entry as the API shows it: when it finished, absent fields as `null`. */
export type RecentRequest = { [K in keyof AccessEntry]-?: undefined extends AccessEntry[K] ? Exclude<AccessEntry[K], undefined> | null : AccessEntry[K] } & { at: string };

export class RequestHistory implements AccessRecorder {
  readonly bucketMs: number;
  readonly #slots: number;
  readonly #now: () => number;
  readonly #groups = new Map<string, Bucket[]>();
  // A fixed ring: memory stays bounded whatever the traffic, and adding allocates nothing.
  readonly #requests: (AccessEntry | undefined)[];
  readonly #finishedAt: Float64Array;
  #next = 0;

  constructor(options: RequestHistoryOptions = {}) {
    this.bucketMs = options.bucketMs ?? 10_000;
    this.#slots = Math.ceil((options.spanMs ?? 3_600_000) / this.bucketMs);
    this.#now = options.now ?? Date.now;
    const keep = options.keepRequests ?? 2000;
    this.#requests = new Array<AccessEntry | undefined>(keep).fill(undefined);
    this.#finishedAt = new Float64Array(keep);
  }

  /** Keeps a finished request (the access log calls it for every invoke request). */
  add(entry: AccessEntry): void {
    this.#requests[this.#next] = entry;
    this.#finishedAt[this.#next] = this.#now();
    this.#next = (this.#next + 1) % this.#requests.length;
  }

  /** The group's last requests that match `filter`, newest first. */
  recent(filter: RequestFilter): RecentRequest[] {
    const out: RecentRequest[] = [];
    const size = this.#requests.length;
    for (let back = 1; back <= size && out.length < filter.limit; back++) {
      const slot = (this.#next - back + size) % size;
      const entry = this.#requests[slot];
      if (!entry) break;
      if (entry.group !== filter.group) continue;
      if (filter.agent !== undefined && entry.agent !== filter.agent) continue;
      const status = filter.status;
      if (status && ("exact" in status ? entry.status !== status.exact : Math.floor(entry.status / 100) !== status.class)) continue;
      out.push(view(entry, this.#finishedAt[slot]!));
    }
    return out;
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

function view(entry: AccessEntry, finishedAt: number): RecentRequest {
  return {
    at: new Date(finishedAt).toISOString(),
    requestId: entry.requestId,
    method: entry.method,
    op: entry.op,
    group: entry.group ?? null,
    profile: entry.profile ?? null,
    caller: entry.caller ?? null,
    agent: entry.agent ?? null,
    status: entry.status,
    code: entry.code ?? null,
    bytesIn: entry.bytesIn,
    bytesOut: entry.bytesOut,
    ms: entry.ms,
    remoteIp: entry.remoteIp,
  };
}
