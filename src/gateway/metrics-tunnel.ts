/**
 * @module
 * Tunnel counters for `/metrics`: sessions accepted, ended (by reason) and re-established
 * (by the reason the previous one ended), and handshakes refused (by close code). Every
 * reason comes from a fixed list — tunnel error codes, close code names — never from a
 * message, so the label sets stay small.
 */
import { CloseCode } from "../protocol/index.ts";
import type { TunnelError } from "../tunnel/index.ts";
import { LabeledCounter, type MetricsText } from "../log/prometheus-text.ts";

const CLOSE_CODE_NAMES = new Map<number, string>(Object.entries(CloseCode).map(([name, code]) => [code as number, name.toLowerCase()]));

export class TunnelMetrics {
  readonly connects = new LabeledCounter();
  readonly disconnects = new LabeledCounter();
  readonly reconnects = new LabeledCounter();
  readonly refusals = new LabeledCounter();
  /** Why each agent's last session ended; a later connect of the same agent is a reconnect for that reason (one entry per agent that ever connected). */
  readonly #lastEnd = new Map<string, string>();

  /** A session was accepted; `handover` when the agent itself moved to it from a live one. */
  connected(group: string, agentId: string, handover: boolean): void {
    this.connects.add({ group });
    const previous = handover ? "handover" : this.#lastEnd.get(agentId);
    if (previous) this.reconnects.add({ group, reason: previous });
    this.#lastEnd.delete(agentId);
  }

  disconnected(group: string, agentId: string, error?: TunnelError): void {
    const reason = error?.code.toLowerCase() ?? "closed";
    this.disconnects.add({ group, reason });
    this.#lastEnd.set(agentId, reason);
  }

  /** A handshake was refused or failed; `closeCode` is what the agent was told, when known. */
  refused(closeCode?: number): void {
    this.refusals.add({ reason: (closeCode !== undefined && CLOSE_CODE_NAMES.get(closeCode)) || "handshake_failed" });
  }

  /** Writes the families; `groups` are the groups to show (each has its connects series, at zero too). */
  write(text: MetricsText, groups: ReadonlySet<string>): void {
    const visible = (labels: { group?: string }) => labels.group !== undefined && groups.has(labels.group);
    text.family("outpost_tunnel_connects_total", "counter", "Agent sessions accepted, by group.");
    for (const group of groups) text.sample("outpost_tunnel_connects_total", { group }, this.connects.get({ group }));
    text.family("outpost_tunnel_disconnects_total", "counter", "Agent sessions ended, by group and reason (a tunnel error code, or closed).")
      .counter("outpost_tunnel_disconnects_total", this.disconnects, visible);
    text.family("outpost_tunnel_reconnects_total", "counter", "Sessions of an agent seen before by this process, by group and why the previous one ended (or handover).")
      .counter("outpost_tunnel_reconnects_total", this.reconnects, visible);
    text.family("outpost_tunnel_refusals_total", "counter", "Agent handshakes refused, by close code name (no group: the agent was not admitted).")
      .counter("outpost_tunnel_refusals_total", this.refusals);
  }
}
