/**
 * @module
 * The agent's own metrics, served as Prometheus text at `/metrics` on its loopback health
 * server: requests by profile and outcome with their latency, requests in flight and
 * queued, the tunnel's state, connects, reconnects and failed dials, and `process_*`.
 * Labels are bounded: profiles are those this agent offers (anything else is `-`), outcomes
 * are `ok` or an error code from our code. docs/operations.md "## Metrics" lists them.
 */
import { LabeledCounter, MetricsText, newHistogram, observe, writeProcessMetrics, type Histogram } from "../log/prometheus-text.ts";
import type { SupervisorState } from "./supervisor.ts";

const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];
const STATES: readonly SupervisorState[] = ["connecting", "connected", "waiting", "stopped"];

export interface AgentGauges {
  inFlight: number;
  queued: number;
  state: SupervisorState;
  /** Names of the profiles this agent offers now (each gets its series, at zero too). */
  profiles: readonly string[];
}

export class AgentMetrics {
  readonly #version: string;
  readonly #requests = new LabeledCounter();
  readonly #latency = new Map<string, Histogram>();
  #state: SupervisorState = "stopped";
  #connects = 0;
  #dialFailures = 0;

  constructor(options: { version: string }) {
    this.#version = options.version;
  }

  /** For `Dispatcher({ onFinished })`. */
  readonly finished = (profile: string | undefined, outcome: string, seconds: number): void => {
    const name = profile ?? "-";
    this.#requests.add({ profile: name, outcome: /^[A-Za-z_]{1,40}$/.test(outcome) ? outcome.toLowerCase() : "internal" });
    const histogram = this.#latency.get(name) ?? newHistogram(BUCKETS);
    this.#latency.set(name, histogram);
    observe(histogram, seconds);
  };

  /** For `Supervisor({ onState })`: a dial that ends in `waiting` instead of `connected` failed. */
  readonly stateChanged = (state: SupervisorState): void => {
    if (state === "connected") this.#connects++;
    if (state === "waiting" && this.#state === "connecting") this.#dialFailures++;
    this.#state = state;
  };

  render(gauges: AgentGauges): string {
    const text = new MetricsText();
    text.family("outpost_agent_build_info", "gauge", "Always 1; the labels name the agent's build.")
      .sample("outpost_agent_build_info", { version: this.#version, runtime: `bun ${Bun.version}`, os: process.platform, arch: process.arch }, 1);
    const profiles = new Set([...gauges.profiles, ...[...this.#requests.entries()].map((entry) => entry.labels.profile!)]);
    text.family("outpost_agent_requests_total", "counter", "Requests served, by profile and outcome (ok, or the error code in lower case).");
    for (const profile of gauges.profiles) if (this.#requests.get({ profile, outcome: "ok" }) === 0) text.sample("outpost_agent_requests_total", { profile, outcome: "ok" }, 0);
    text.counter("outpost_agent_requests_total", this.#requests);
    text.family("outpost_agent_request_duration_seconds", "histogram", "Time to serve a request, by profile.");
    for (const profile of profiles) text.histogram("outpost_agent_request_duration_seconds", { profile }, this.#latency.get(profile) ?? newHistogram(BUCKETS));
    text.family("outpost_agent_requests_in_flight", "gauge", "Requests being served or waiting.").sample("outpost_agent_requests_in_flight", {}, gauges.inFlight);
    text.family("outpost_agent_requests_queued", "gauge", "Requests waiting for a slot of agent.concurrency.").sample("outpost_agent_requests_queued", {}, gauges.queued);
    text.family("outpost_agent_tunnel_state", "gauge", "1 for the tunnel's current state, 0 for the others.");
    for (const state of STATES) text.sample("outpost_agent_tunnel_state", { state }, state === gauges.state ? 1 : 0);
    text.family("outpost_agent_tunnel_connects_total", "counter", "Sessions established with the gateway.").sample("outpost_agent_tunnel_connects_total", {}, this.#connects);
    text.family("outpost_agent_tunnel_reconnects_total", "counter", "Sessions established after the first one.")
      .sample("outpost_agent_tunnel_reconnects_total", {}, Math.max(0, this.#connects - 1));
    text.family("outpost_agent_tunnel_dial_failures_total", "counter", "Dials that did not end in a session (unreachable, refused, TLS).")
      .sample("outpost_agent_tunnel_dial_failures_total", {}, this.#dialFailures);
    writeProcessMetrics(text);
    return text.toString();
  }
}
