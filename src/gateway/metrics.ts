/**
 * @module
 * The gateway's own metrics, served as Prometheus text at `/metrics`: requests by group,
 * operation and outcome, latency histograms, bytes streamed, requests in flight, and
 * agents by status (AgentStatusCounter: read from the store at most every 5 s, so a scrape
 * never waits on it; the first scrape after start may show none). A token scoped to some
 * groups sees only those groups' series; the totals without a group label (bytes, in
 * flight) stay, as they name no group.
 */

const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

interface Histogram {
  counts: number[];
  sum: number;
  count: number;
}

export type Outcome = "ok" | "client_error" | "agent_error" | "unavailable" | "timeout" | "cancelled";

export class GatewayMetrics {
  readonly #requests = new Map<string, number>();
  readonly #latency = new Map<string, Histogram>();
  readonly #bytes = { in: 0, out: 0 };
  /** The group of each series key, so a scoped scrape filters without parsing labels back. */
  readonly #groups = new Map<string, string>();
  #inFlight = 0;
  readonly #agentStatus: () => { group: string; status: string; count: number }[];
  readonly #observe?: (group: string, op: string, outcome: Outcome, seconds: number) => void;

  /** `observe` sees every finished request too (the console's per-group history). Defaults to none. */
  constructor(options: {
    agentStatus: () => { group: string; status: string; count: number }[];
    observe?: (group: string, op: string, outcome: Outcome, seconds: number) => void;
  }) {
    this.#agentStatus = options.agentStatus;
    this.#observe = options.observe;
  }

  started(): void {
    this.#inFlight++;
  }

  finished(group: string, op: string, outcome: Outcome, seconds: number): void {
    this.#inFlight--;
    const key = labels({ group, op, outcome });
    this.#requests.set(key, (this.#requests.get(key) ?? 0) + 1);
    const latencyKey = labels({ group, op });
    if (!this.#groups.has(key)) this.#groups.set(key, group).set(latencyKey, group);
    const histogram = this.#latency.get(latencyKey) ?? { counts: BUCKETS.map(() => 0), sum: 0, count: 0 };
    BUCKETS.forEach((bound, index) => {
      if (seconds <= bound) histogram.counts[index]!++;
    });
    histogram.sum += seconds;
    histogram.count++;
    this.#latency.set(latencyKey, histogram);
    this.#observe?.(group, op, outcome, seconds);
  }

  bytes(direction: "in" | "out", count: number): void {
    this.#bytes[direction] += count;
  }

  /** Prometheus text; `canSee(group)` (defaults to every group) filters the per-group series. */
  render(canSee: (group: string) => boolean = () => true): string {
    const lines: string[] = [];
    lines.push("# HELP outpost_agents Connected and known agents by group and status.", "# TYPE outpost_agents gauge");
    for (const { group, status, count } of this.#agentStatus()) {
      if (canSee(group)) lines.push(`outpost_agents{${labels({ group, status })}} ${count}`);
    }
    lines.push("# HELP outpost_requests_total Invoke requests by group, operation and outcome.", "# TYPE outpost_requests_total counter");
    for (const [key, value] of this.#requests) if (canSee(this.#groups.get(key)!)) lines.push(`outpost_requests_total{${key}} ${value}`);
    lines.push("# HELP outpost_request_duration_seconds Time to the end of the reply.", "# TYPE outpost_request_duration_seconds histogram");
    for (const [key, histogram] of this.#latency) {
      if (!canSee(this.#groups.get(key)!)) continue;
      BUCKETS.forEach((bound, index) => lines.push(`outpost_request_duration_seconds_bucket{${key},le="${bound}"} ${histogram.counts[index]}`));
      lines.push(`outpost_request_duration_seconds_bucket{${key},le="+Inf"} ${histogram.count}`);
      lines.push(`outpost_request_duration_seconds_sum{${key}} ${histogram.sum}`);
      lines.push(`outpost_request_duration_seconds_count{${key}} ${histogram.count}`);
    }
    lines.push("# HELP outpost_bytes_total Body bytes through the gateway.", "# TYPE outpost_bytes_total counter");
    lines.push(`outpost_bytes_total{direction="in"} ${this.#bytes.in}`, `outpost_bytes_total{direction="out"} ${this.#bytes.out}`);
    lines.push("# HELP outpost_requests_in_flight Invoke requests being served.", "# TYPE outpost_requests_in_flight gauge");
    lines.push(`outpost_requests_in_flight ${this.#inFlight}`);
    return lines.join("\n") + "\n";
  }
}

function labels(values: Record<string, string>): string {
  return Object.entries(values).map(([name, value]) => `${name}="${escape(value)}"`).join(",");
}

function escape(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}
