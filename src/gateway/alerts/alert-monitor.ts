/**
 * @module
 * The alert rules, fed by the registry's connect/disconnect events:
 * - **agent disconnected**: only after a grace period (a restart or a network blip that
 *   heals is no news), once per episode (until the agent is back), and agents whose grace
 *   ends close together go out as one message. Agents an operator disabled or removed
 *   are not alerted on: a disabled agent's disconnect starts no grace period, and when it
 *   is enabled again the grace starts then (`StoreWatch` notices the change), so the
 *   seconds it takes to come back are not mistaken for an outage.
 * - **group degraded / inactive**: checked when a disconnect alert goes out, so under the
 *   same grace and coalescing: some (degraded) or none (inactive) of the group's enabled
 *   agents are active; once per level until the group is whole again, which is reported
 *   too (**group recovered**).
 * - **agent outdated**: a connected agent is `outdatedMinorVersions` or more behind the
 *   newest version in its group (any major version behind counts); once per agent and version.
 * - **drift detected**: agents report different settings for the same profile, or only
 *   some offer a profile (it has no failover); once per distinct drift.
 */
import type { Logger } from "../../log/logger.ts";
import type { AgentRegistry, LiveAgent, RegistryEvent } from "../registry.ts";
import { agentStatus, groupStatus, GROUP_STATUSES, type GroupStatus } from "../status.ts";
import type { GatewayStore } from "../store/store.ts";
import type { AlertSender } from "./alert-sender.ts";
import type { Alert, AlertAgent } from "./alert-types.ts";
import { driftAlert } from "./drift-alert.ts";
import { StoreWatch } from "./store-watch.ts";
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

type Away = { agent: LiveAgent; away: AlertAgent };

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
  readonly #waiting = new Map<string, Away & { timer: ReturnType<typeof setTimeout> }>();
  /** Agents away while disabled: no grace runs until they are enabled again. */
  readonly #held = new Map<string, Away>();
  /** Agents reported in this episode (cleared when they connect again). */
  readonly #reported = new Set<string>();
  /** groupId → agents whose grace ended, waiting to be sent together. */
  readonly #due = new Map<string, { timer: ReturnType<typeof setTimeout>; agents: AlertAgent[] }>();
  /** groupId → the worst status reported in its current episode (absent: whole). */
  readonly #health = new Map<string, Exclude<GroupStatus, "active">>();
  readonly #outdated = new Set<string>();
  readonly #drift = new Map<string, string>();
  readonly #watch: StoreWatch;
  readonly #unsubscribe: () => void;
  #rechecking: Promise<void> | undefined;
  #recheckAgain = false;

  constructor(options: AlertMonitorOptions) {
    this.#registry = options.registry;
    this.#store = options.store;
    this.#sender = options.sender;
    this.#log = options.log;
    this.#graceMs = options.graceMs ?? 30_000;
    this.#coalesceMs = options.coalesceMs ?? 2000;
    this.#outdatedMinor = options.outdatedMinorVersions ?? 2;
    this.#now = options.now ?? Date.now;
    this.#watch = new StoreWatch({ store: this.#store, onChange: () => this.#recheckSoon() });
    this.#unsubscribe = this.#registry.subscribe((event) => this.#on(event));
  }

  /** Stops listening and drops every pending timer (the gateway is stopping; its agents leave on purpose). */
  stop(): void {
    this.#unsubscribe();
    for (const { timer } of this.#waiting.values()) clearTimeout(timer);
    for (const { timer } of this.#due.values()) clearTimeout(timer);
    this.#waiting.clear();
    this.#held.clear();
    this.#due.clear();
    this.#health.clear();
    this.#watch.update(false);
  }

  #on(event: RegistryEvent) {
    const { agent } = event;
    if (event.type === "connected") {
      clearTimeout(this.#waiting.get(agent.agentId)?.timer);
      this.#waiting.delete(agent.agentId);
      this.#held.delete(agent.agentId);
      this.#reported.delete(agent.agentId);
      this.#guard(this.#checkRecovered(agent.groupId));
      this.#guard(this.#checkVersions(agent.groupId));
      this.#guard(this.#checkDrift(agent.groupId));
    } else if (event.type === "disconnected" && !this.#waiting.has(agent.agentId) && !this.#reported.has(agent.agentId)) {
      const away: AlertAgent = { name: agent.agentName, remoteIp: agent.remoteIp, version: agent.info.version, disconnectedAt: this.#now() };
      // Disabled (or removed) first, then asked to leave: the operator's doing, not an outage.
      if (agent.enabled) this.#startGrace({ agent, away });
      else this.#held.set(agent.agentId, { agent, away });
    }
    this.#updateWatch();
  }

  #startGrace(entry: Away) {
    const timer = setTimeout(() => this.#guard(this.#graceOver(entry)), this.#graceMs);
    this.#waiting.set(entry.agent.agentId, { ...entry, timer });
  }

  async #graceOver(entry: Away) {
    const { agent, away } = entry;
    this.#waiting.delete(agent.agentId);
    if (this.#registry.get(agent.agentId)) return this.#updateWatch();
    const record = await this.#store.getAgent(agent.agentId);
    // Disabled or removed by an operator: they know, and it is not an outage. A disabled
    // one gets a new grace period if it is enabled again.
    if (record?.status === "disabled") this.#held.set(agent.agentId, entry);
    this.#updateWatch();
    if (record?.status !== "enabled") return;
    this.#reported.add(agent.agentId);
    const due = this.#due.get(agent.groupId);
    if (due) return void due.agents.push(away);
    const timer = setTimeout(() => this.#guard(this.#flush(agent.groupId)), this.#coalesceMs);
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
    await this.#checkWorse(groupId);
  }

  /** Reports the group degraded or inactive if it got worse than what was last reported. */
  async #checkWorse(groupId: string) {
    const { status, enabled, active } = await this.#groupHealth(groupId);
    const rank = (level: GroupStatus | undefined) => GROUP_STATUSES.indexOf(level ?? "active");
    if (status === "active" || rank(status) <= rank(this.#health.get(groupId))) return;
    this.#health.set(groupId, status);
    this.#updateWatch();
    if (status === "inactive") {
      return this.#alert(groupId, { event: "group_inactive", summary: `group "{group}" has no active agent: its requests fail until one connects`, agents: [] });
    }
    const missing = enabled.filter((agent) => !active.includes(agent));
    await this.#alert(groupId, {
      event: "group_degraded",
      summary: `group "{group}" is degraded: ${active.length} of ${enabled.length} enabled agents active (${missing.map((agent) => agent.name).join(", ")} missing); it serves without its failover`,
      agents: missing.map((agent) => ({ name: agent.name, version: agent.info?.version, disconnectedAt: this.#registry.disconnectedAt(agent.id) })),
      details: { enabledAgents: enabled.length, activeAgents: active.length },
    });
  }

  /** After a reported episode: the group whole again is news; better but still short is remembered silently. */
  async #checkRecovered(groupId: string) {
    if (!this.#health.has(groupId)) return;
    const { status, enabled } = await this.#groupHealth(groupId);
    if (status === "inactive" || !this.#health.has(groupId)) return;
    if (status === "degraded") return void this.#health.set(groupId, "degraded");
    this.#health.delete(groupId);
    this.#updateWatch();
    await this.#alert(groupId, { event: "group_recovered", summary: `group "{group}" is whole again: all ${enabled.length} enabled agents are active`, agents: [] });
  }

  async #groupHealth(groupId: string) {
    const agents = await this.#store.listAgents(groupId);
    const statuses = agents.map((agent) => agentStatus(agent, this.#registry));
    return {
      status: groupStatus(statuses),
      enabled: agents.filter((_, index) => statuses[index] === "active" || statuses[index] === "no_response"),
      active: agents.filter((_, index) => statuses[index] === "active"),
    };
  }

  /** The store moved: an away agent may have been enabled or disabled, a reported group's agent disabled or removed. */
  #recheckSoon() {
    if (this.#rechecking) return void (this.#recheckAgain = true);
    this.#rechecking = this.#recheck()
      .catch((error) => this.#log.warn("alert check failed", { error }))
      .finally(() => {
        this.#rechecking = undefined;
        if (this.#recheckAgain) (this.#recheckAgain = false), this.#recheckSoon();
      });
  }

  async #recheck() {
    for (const [agentId, entry] of [...this.#held]) {
      const record = await this.#store.getAgent(agentId);
      if (this.#held.get(agentId) !== entry || record?.status === "disabled") continue;
      this.#held.delete(agentId);
      // Enabled again and not back yet: its grace starts now.
      if (record?.status === "enabled" && !this.#registry.get(agentId)) this.#startGrace(entry);
    }
    for (const [agentId, entry] of [...this.#waiting]) {
      const record = await this.#store.getAgent(agentId);
      if (this.#waiting.get(agentId) !== entry || record?.status === "enabled") continue;
      clearTimeout(entry.timer);
      this.#waiting.delete(agentId);
      if (record?.status === "disabled") this.#held.set(agentId, entry);
    }
    for (const groupId of [...this.#health.keys()]) await this.#checkRecovered(groupId);
    this.#updateWatch();
  }

  #updateWatch() {
    this.#watch.update(this.#held.size + this.#waiting.size + this.#health.size > 0);
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
    const draft = driftAlert(drift, this.#registry.inGroup(groupId));
    if (!draft) return void this.#drift.delete(groupId);
    if (this.#drift.get(groupId) === signature) return;
    this.#drift.set(groupId, signature);
    await this.#alert(groupId, draft);
  }

  #guard(work: Promise<void>) {
    void work.catch((error) => this.#log.warn("alert check failed", { error }));
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
