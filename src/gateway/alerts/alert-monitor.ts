/**
 * @module
 * The alert rules, fed by the registry's connect/disconnect events:
 * - **agent disconnected**: only after a grace period (a restart or a network blip that
 *   heals is no news), once per episode (until the agent is back), and agents whose grace
 *   ends close together go out as one message. Agents an operator disabled or removed
 *   are not alerted on.
 * - **group inactive**: the disconnects left no active agent in the group; once until one
 *   comes back.
 * - **agent outdated**: a connected agent is `outdatedMinorVersions` or more behind the
 *   newest version in its group (any major version behind counts); once per agent and version.
 * - **drift detected**: agents report different settings for the same profile; once per
 *   distinct drift.
 */
import type { Logger } from "../../log/logger.ts";
import type { AgentRegistry, LiveAgent, RegistryEvent } from "../registry.ts";
import type { GatewayStore } from "../store/store.ts";
import type { AlertSender } from "./alert-sender.ts";
import type { Alert, AlertAgent } from "./alert-types.ts";
import { compareVersions, versionLag } from "./version-lag.ts";

/** The gateway-wide alert knobs (`startGateway({ alerts })`). */
export interface AlertSettings {
  /** How long an agent may stay away before it is reported. Defaults to 30,000 ms. */
  graceMs?: number;
  /** Disconnects whose grace ends within this window share one message. Defaults to 2,000 ms. */
  coalesceMs?: number;
  /** Minor versions behind the group's newest that count as outdated. Defaults to 2. */
  outdatedMinorVersions?: number;
}

export interface AlertMonitorOptions extends AlertSettings {
  registry: AgentRegistry;
  store: GatewayStore;
  sender: AlertSender;
  log: Logger;
  /** Injected for tests. Defaults to `Date.now`. */
  now?: () => number;
}

export class AlertMonitor {
  readonly #registry: AgentRegistry;
  readonly #store: GatewayStore;
  readonly #sender: AlertSender;
  readonly #log: Logger;
  readonly #graceMs: number;
  readonly #coalesceMs: number;
  readonly #outdatedMinor: number;
  readonly #now: () => number;
  /** Agents away and not yet reported: agentId → grace timer. */
  readonly #waiting = new Map<string, ReturnType<typeof setTimeout>>();
  /** Agents reported in this episode (cleared when they connect again). */
  readonly #reported = new Set<string>();
  /** groupId → agents whose grace ended, waiting to be sent together. */
  readonly #due = new Map<string, { timer: ReturnType<typeof setTimeout>; agents: AlertAgent[] }>();
  readonly #inactive = new Set<string>();
  readonly #outdated = new Set<string>();
  readonly #drift = new Map<string, string>();
  readonly #unsubscribe: () => void;

  constructor(options: AlertMonitorOptions) {
    this.#registry = options.registry;
    this.#store = options.store;
    this.#sender = options.sender;
    this.#log = options.log;
    this.#graceMs = options.graceMs ?? 30_000;
    this.#coalesceMs = options.coalesceMs ?? 2000;
    this.#outdatedMinor = options.outdatedMinorVersions ?? 2;
    this.#now = options.now ?? Date.now;
    this.#unsubscribe = this.#registry.subscribe((event) => this.#on(event));
  }

  /** Stops listening and drops every pending timer (the gateway is stopping; its agents leave on purpose). */
  stop(): void {
    this.#unsubscribe();
    for (const timer of this.#waiting.values()) clearTimeout(timer);
    for (const { timer } of this.#due.values()) clearTimeout(timer);
    this.#waiting.clear();
    this.#due.clear();
  }

  #on(event: RegistryEvent) {
    const { agent } = event;
    if (event.type === "connected") {
      clearTimeout(this.#waiting.get(agent.agentId));
      this.#waiting.delete(agent.agentId);
      this.#reported.delete(agent.agentId);
      this.#inactive.delete(agent.groupId);
      void this.#checkVersions(agent.groupId).catch((error) => this.#log.warn("alert check failed", { error }));
      void this.#checkDrift(agent.groupId).catch((error) => this.#log.warn("alert check failed", { error }));
    } else if (event.type === "disconnected" && !this.#waiting.has(agent.agentId) && !this.#reported.has(agent.agentId)) {
      const away: AlertAgent = { name: agent.agentName, remoteIp: agent.remoteIp, version: agent.info.version, disconnectedAt: this.#now() };
      const timer = setTimeout(() => void this.#graceOver(agent, away).catch((error) => this.#log.warn("alert check failed", { error })), this.#graceMs);
      this.#waiting.set(agent.agentId, timer);
    }
  }

  async #graceOver(agent: LiveAgent, away: AlertAgent) {
    this.#waiting.delete(agent.agentId);
    if (this.#registry.get(agent.agentId)) return;
    const record = await this.#store.getAgent(agent.agentId);
    // Disabled or removed by an operator: they know, and it is not an outage.
    if (record?.status !== "enabled") return;
    this.#reported.add(agent.agentId);
    const due = this.#due.get(agent.groupId);
    if (due) return void due.agents.push(away);
    const timer = setTimeout(() => void this.#flush(agent.groupId).catch((error) => this.#log.warn("alert check failed", { error })), this.#coalesceMs);
    this.#due.set(agent.groupId, { timer, agents: [away] });
  }

  async #flush(groupId: string) {
    const due = this.#due.get(groupId);
    this.#due.delete(groupId);
    if (!due) return;
    const names = due.agents.map((agent) => agent.name).join(", ");
    const plural = due.agents.length > 1;
    await this.#alert(groupId, {
      event: "agent_disconnected",
      summary: `agent${plural ? "s" : ""} ${names} of group "{group}" disconnected and did not come back within ${Math.round(this.#graceMs / 1000)} s`,
      agents: due.agents,
      details: { graceMs: this.#graceMs },
    });
    const active = this.#registry.inGroup(groupId).some((agent) => agent.enabled && !agent.session.closed);
    if (!active && !this.#inactive.has(groupId)) {
      this.#inactive.add(groupId);
      await this.#alert(groupId, { event: "group_inactive", summary: `group "{group}" has no active agent: its requests fail until one connects`, agents: [] });
    }
  }

  async #checkVersions(groupId: string) {
    const agents = this.#registry.inGroup(groupId).filter((agent) => agent.info.version);
    const newest = agents.map((agent) => agent.info.version!).sort(compareVersions).at(-1);
    if (!newest) return;
    for (const agent of agents) {
      const version = agent.info.version!;
      const key = `${agent.agentId}@${version}`;
      if (this.#outdated.has(key) || !isOutdated(version, newest, this.#outdatedMinor)) continue;
      this.#outdated.add(key);
      await this.#alert(groupId, {
        event: "agent_outdated",
        summary: `agent ${agent.agentName} of group "{group}" runs ${version}, behind the group's newest ${newest}`,
        agents: [{ name: agent.agentName, remoteIp: agent.remoteIp, version }],
        details: { newestVersion: newest },
      });
    }
  }

  async #checkDrift(groupId: string) {
    const drift = this.#registry.drift(groupId);
    const signature = JSON.stringify(drift);
    if (Object.keys(drift).length === 0) return void this.#drift.delete(groupId);
    if (this.#drift.get(groupId) === signature) return;
    this.#drift.set(groupId, signature);
    await this.#alert(groupId, {
      event: "drift_detected",
      summary: `agents of group "{group}" report different settings for profile(s) ${Object.keys(drift).join(", ")}`,
      agents: this.#registry.inGroup(groupId).map((agent) => ({ name: agent.agentName, version: agent.info.version })),
      details: { profiles: drift },
    });
  }

  /** Fills in the group's name and sends to its webhooks (none configured: only the log says it). */
  async #alert(groupId: string, draft: Omit<Alert, "group" | "at">) {
    const group = await this.#store.getGroup(groupId);
    if (!group) return;
    const alert: Alert = { ...draft, group: group.name, at: this.#now(), summary: draft.summary.replace("{group}", group.name) };
    this.#log.warn("alert", { group: group.name, event: alert.event, summary: alert.summary });
    const webhooks = group.settings.alertWebhooks ?? [];
    if (webhooks.length > 0) void this.#sender.send(alert, webhooks);
  }
}

function isOutdated(version: string, newest: string, minorMargin: number): boolean {
  const lag = versionLag(newest, version);
  return lag.major > 0 || (lag.major === 0 && lag.minor >= minorMargin);
}
