/**
 * @module
 * The gateway's own metrics, served as Prometheus text at `/metrics`. Every family is
 * written on every scrape, and every series an alert compares with zero exists at zero:
 * agents by group × status, group status, per-agent requests by outcome, bytes by group
 * and direction. Profile health is the exception: a profile's series exists only while its
 * connected agent reports it (unknown is absent, not 0). Labels come only from bounded sets — groups and agents the store knows
 * (metrics-inventory.ts; a removed one's series are no longer written), operations and outcomes from fixed
 * lists, reasons from code constants. A token scoped to some groups sees only those
 * groups' series; series without a group label (refusals, auth failures, process) name
 * no group and stay. docs/operations.md "## Metrics" lists every family.
 */
import { X509Certificate } from "node:crypto";
import {
  LabeledCounter, MetricsText, newHistogram, observe, writeProcessMetrics, type Histogram,
} from "../log/prometheus-text.ts";
import type { InventoryGroup } from "./metrics-inventory.ts";
import { TunnelMetrics } from "./metrics-tunnel.ts";
import { AGENT_STATUSES, GROUP_STATUSES } from "./status.ts";

const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];
/** Per agent, fewer buckets: agents × buckets series, where the group series also split by op. */
const AGENT_BUCKETS = [0.01, 0.05, 0.25, 1, 5, 30, 300];

export const OUTCOMES = ["ok", "client_error", "agent_error", "unavailable", "timeout", "cancelled"] as const;
export type Outcome = (typeof OUTCOMES)[number];

export interface GatewayMetricsOptions {
  /** Reported by `outpost_build_info`. Defaults to `"unknown"`. */
  version?: string;
  /** Sees every finished request too (the console's per-group history). Defaults to none. */
  observe?: (group: string, op: string, outcome: Outcome, seconds: number) => void;
  /** Alert deliveries by group and outcome (the AlertSender's counter). Defaults to none. */
  alertDeliveries?: () => LabeledCounter;
  /** PEM of the certificate the gateway serves; its expiry becomes a series. Defaults to none (plain HTTP). */
  tlsCert?: string;
}

export class GatewayMetrics {
  readonly tunnel = new TunnelMetrics();
  readonly #requests = new LabeledCounter();
  readonly #latency = new Map<string, { group: string; op: string; histogram: Histogram }>();
  readonly #agentRequests = new LabeledCounter();
  readonly #agentLatency = new Map<string, Histogram>();
  readonly #bytes = new LabeledCounter();
  readonly #authFailures = new LabeledCounter();
  #inFlight = 0;
  readonly #options: GatewayMetricsOptions;
  readonly #certExpiresAt?: number;

  constructor(options: GatewayMetricsOptions = {}) {
    this.#options = options;
    // Read once: the certificate is fixed for the life of the process. The first one of a
    // chain is the gateway's own; one Node cannot parse leaves the series out (TLS decides).
    try {
      if (options.tlsCert) this.#certExpiresAt = Date.parse(new X509Certificate(options.tlsCert).validTo) / 1000;
    } catch {}
  }

  started(): void {
    this.#inFlight++;
  }

  /** A request ended; `agent` names the agent (of `group`) that answered, when one did. */
  finished(group: string, op: string, outcome: Outcome, seconds: number, agent?: string): void {
    this.#inFlight--;
    this.#requests.add({ group, op, outcome });
    const key = `${group}\u0000${op}`;
    const latency = this.#latency.get(key) ?? { group, op, histogram: newHistogram(BUCKETS) };
    this.#latency.set(key, latency);
    observe(latency.histogram, seconds);
    if (agent !== undefined) {
      this.#agentRequests.add({ group, agent, outcome });
      const agentKey = `${group}\u0000${agent}`;
      const histogram = this.#agentLatency.get(agentKey) ?? newHistogram(AGENT_BUCKETS);
      this.#agentLatency.set(agentKey, histogram);
      observe(histogram, seconds);
    }
    this.#options.observe?.(group, op, outcome, seconds);
  }

  /** Body bytes of invoke requests: `in` from callers, `out` to them. */
  bytes(group: string, direction: "in" | "out", count: number): void {
    this.#bytes.add({ group, direction }, count);
  }

  /** A refused credential; `reason` is one of the authenticator's fixed reasons. */
  authFailed(reason: string): void {
    this.#authFailures.add({ reason });
  }

  /** Prometheus text for `groups` (the inventory); `canSee(group)` (defaults to every group) filters. */
  render(groups: readonly InventoryGroup[], canSee: (group: string) => boolean = () => true): string {
    // Series of a group or agent the store no longer has are not written (their counts stay
    // in memory, bounded by the groups and agents this process has ever served).
    const visible = groups.filter((group) => canSee(group.name));
    const names = new Set(visible.map((group) => group.name));
    const seen = (labels: { group?: string }) => labels.group !== undefined && names.has(labels.group);
    const text = new MetricsText();
    text.family("outpost_build_info", "gauge", "Always 1; the labels name the gateway's build.")
      .sample("outpost_build_info", { version: this.#options.version ?? "unknown", runtime: `bun ${Bun.version}`, os: process.platform, arch: process.arch }, 1);

    text.family("outpost_agents", "gauge", "Agents known to the store, by group and status (every status, zeros included).");
    for (const group of visible) {
      for (const status of AGENT_STATUSES) {
        text.sample("outpost_agents", { group: group.name, status }, group.agents.filter((agent) => agent.status === status).length);
      }
    }
    text.family("outpost_group_status", "gauge", "1 for the group's current status, 0 for the others.");
    for (const group of visible) {
      for (const status of GROUP_STATUSES) text.sample("outpost_group_status", { group: group.name, status }, group.status === status ? 1 : 0);
    }

    text.family("outpost_requests_total", "counter", "Invoke requests by group, operation and outcome.").counter("outpost_requests_total", this.#requests, seen);
    text.family("outpost_request_duration_seconds", "histogram", "Time from the request to the end of the reply, by group and operation.");
    for (const { group, op, histogram } of this.#latency.values()) {
      if (names.has(group)) text.histogram("outpost_request_duration_seconds", { group, op }, histogram);
    }
    text.family("outpost_requests_in_flight", "gauge", "Invoke requests being served.").sample("outpost_requests_in_flight", {}, this.#inFlight);
    text.family("outpost_bytes_total", "counter", "Body bytes of invoke requests by group and direction (in: from callers, out: to callers).");
    for (const group of visible) {
      for (const direction of ["in", "out"]) text.sample("outpost_bytes_total", { group: group.name, direction }, this.#bytes.get({ group: group.name, direction }));
    }

    this.#writeAgents(text, visible);
    this.tunnel.write(text, names);
    text.family("outpost_auth_failures_total", "counter", "Refused credentials by reason.").counter("outpost_auth_failures_total", this.#authFailures);
    text.family("outpost_alert_deliveries_total", "counter", "Alert webhook deliveries by group and outcome (delivered, or failed after its retries).");
    const deliveries = this.#options.alertDeliveries?.();
    if (deliveries) text.counter("outpost_alert_deliveries_total", deliveries, seen);
    if (this.#certExpiresAt !== undefined) {
      text.family("outpost_tls_cert_expiry_timestamp_seconds", "gauge", "When the certificate the gateway serves expires, seconds since the Unix epoch.")
        .sample("outpost_tls_cert_expiry_timestamp_seconds", {}, this.#certExpiresAt);
    }
    writeProcessMetrics(text);
    return text.toString();
  }

  /** Per-agent series: every known agent, each outcome at zero until it happens. */
  #writeAgents(text: MetricsText, groups: readonly InventoryGroup[]): void {
    const each = (write: (labels: { group: string; agent: string }, inFlight: number) => void) => {
      for (const group of groups) for (const agent of group.agents) write({ group: group.name, agent: agent.name }, agent.inFlight);
    };
    text.family("outpost_requests_by_agent_total", "counter", "Invoke requests answered by each agent, by outcome.");
    each((labels) => {
      for (const outcome of OUTCOMES) text.sample("outpost_requests_by_agent_total", { ...labels, outcome }, this.#agentRequests.get({ ...labels, outcome }));
    });
    text.family("outpost_request_duration_by_agent_seconds", "histogram", "Time to the end of the reply, per agent.");
    each((labels) => text.histogram(
      "outpost_request_duration_by_agent_seconds", labels, this.#agentLatency.get(`${labels.group}\u0000${labels.agent}`) ?? newHistogram(AGENT_BUCKETS),
    ));
    text.family("outpost_streams_in_flight", "gauge", "Streams open on each agent's live session (0 when not connected).");
    each((labels, inFlight) => text.sample("outpost_streams_in_flight", labels, inFlight));
    // Absent rather than 0 while unknown (agent not connected, or profile not checked yet): 0
    // means the agent itself found the target failing, so a down alert on 0 is never a guess.
    text.family("outpost_agent_profile_up", "gauge", "1 when the connected agent reports the profile healthy, 0 when failing; absent while unknown.");
    for (const group of groups) {
      for (const agent of group.agents) {
        for (const profile of agent.profiles) text.sample("outpost_agent_profile_up", { group: group.name, agent: agent.name, profile: profile.name }, profile.ok ? 1 : 0);
      }
    }
  }
}
