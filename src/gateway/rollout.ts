/**
 * @module
 * Rolling upgrade of a group (`outpost gateway group upgrade`): the agents are upgraded
 * one at a time so a group of two or more never drops a request. For each agent: drain it
 * (no new requests; in-flight ones finish), tell it to upgrade (`agent.upgrade` on the
 * tunnel: it downloads, verifies the signed release, swaps its binary and exits so its
 * service manager restarts it), wait until it is back on the new version, then the next.
 *
 * The request and its progress live in the store (`rollout:<groupId>`), so the CLI can ask
 * for one without talking to the gateway, and any gateway node could pick it up.
 */
import type { Logger } from "../log/logger.ts";
import { ResetCode } from "../protocol/index.ts";
import { GatewayError } from "./http-errors.ts";
import type { AgentRegistry, LiveAgent } from "./registry.ts";
import type { GatewayStore } from "./store/store.ts";

export interface RolloutRecord {
  version: string;
  /** Release base URL the agents download from; their default when absent. */
  baseUrl?: string;
  state: "pending" | "running" | "done" | "failed";
  requestedAt: number;
  updatedAt: number;
  /** Agent names already on the version. */
  upgraded: string[];
  /** The agent being upgraded now. */
  current?: string;
  error?: string;
}

export interface RolloutTimeouts {
  /** Wait for in-flight requests of a drained agent. Defaults to 60 s. */
  drainMs: number;
  /** Wait for the agent to answer the upgrade (download and checks). Defaults to 10 minutes. */
  upgradeMs: number;
  /** Wait for the agent to come back on the new version. Defaults to 5 minutes. */
  returnMs: number;
}

const DEFAULT_TIMEOUTS: RolloutTimeouts = { drainMs: 60_000, upgradeMs: 600_000, returnMs: 300_000 };

export const rolloutKey = (groupId: string) => `rollout:${groupId}`;

const VERSION = /^\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$/;

/**
 * Records a rollout request for the group; the gateway starts it within its sync interval.
 * Throws BAD_REQUEST for a version that is not a release version, CONFLICT while another
 * rollout of the group is pending or running (for the admin API and the CLI alike).
 */
export async function requestRollout(store: GatewayStore, groupId: string, version: string, baseUrl?: string): Promise<RolloutRecord> {
  if (!VERSION.test(version)) throw new GatewayError("BAD_REQUEST", `version must be a release version such as 1.4.0 (got "${version}")`, { field: "version" });
  const current = await readRollout(store, groupId);
  if (current && (current.state === "pending" || current.state === "running")) {
    throw new GatewayError("CONFLICT", `a rollout to ${current.version} is already ${current.state} for this group`);
  }
  const now = Date.now();
  const record: RolloutRecord = { version, baseUrl, state: "pending", requestedAt: now, updatedAt: now, upgraded: [] };
  await store.setSetting(rolloutKey(groupId), record);
  return record;
}

export async function readRollout(store: GatewayStore, groupId: string): Promise<RolloutRecord | undefined> {
  return ((await store.getSetting(rolloutKey(groupId))) as RolloutRecord | null | undefined) ?? undefined;
}

export class RolloutRunner {
  readonly #store: GatewayStore;
  readonly #registry: AgentRegistry;
  readonly #log: Logger;
  readonly #timeouts: RolloutTimeouts;
  readonly #running = new Set<string>();

  constructor(options: { store: GatewayStore; registry: AgentRegistry; log: Logger; timeouts?: Partial<RolloutTimeouts> }) {
    this.#store = options.store;
    this.#registry = options.registry;
    this.#log = options.log;
    this.#timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  }

  /** Starts pending rollouts; called from the gateway's periodic sync. */
  async tick(): Promise<void> {
    for (const group of await this.#store.listGroups()) {
      if (this.#running.has(group.id)) continue;
      const record = await readRollout(this.#store, group.id);
      if (record?.state !== "pending") continue;
      this.#running.add(group.id);
      void this.#run(group.id, group.name, record)
        .catch((error) => this.#log.error("rollout stopped on an error", { group: group.name, error }))
        .finally(() => this.#running.delete(group.id));
    }
  }

  async #run(groupId: string, groupName: string, record: RolloutRecord): Promise<void> {
    const save = (patch: Partial<RolloutRecord>) => {
      Object.assign(record, patch, { updatedAt: Date.now() });
      return this.#store.setSetting(rolloutKey(groupId), record);
    };
    await save({ state: "running" });
    this.#log.info("rollout started", { group: groupName, version: record.version });
    const names = this.#registry.inGroup(groupId).map((agent) => agent.agentName).sort();
    try {
      for (const name of names) {
        const agent = this.#find(groupId, name);
        if (!agent) continue; // gone meanwhile: it upgrades when it is next rolled out
        if (agent.info.version !== record.version) {
          await save({ current: name });
          await this.#upgradeOne(agent, record);
        }
        await save({ upgraded: [...record.upgraded, name], current: undefined });
      }
      await save({ state: "done" });
      this.#log.info("rollout done", { group: groupName, version: record.version, agents: record.upgraded.length });
    } catch (error) {
      await save({ state: "failed", error: (error as Error).message });
      this.#log.error("rollout failed; the remaining agents were left as they are", { group: groupName, reason: (error as Error).message });
    }
  }

  async #upgradeOne(first: LiveAgent, record: RolloutRecord): Promise<void> {
    const { drainMs, upgradeMs, returnMs } = this.#timeouts;
    first.draining = true;
    const drained = await until(() => first.inFlight === 0 || first.session.closed, drainMs);
    // It may have reconnected while draining: talk to its current session, drained too.
    const agent = this.#find(first.groupId, first.agentName);
    if (!agent) throw new Error(`agent ${first.agentName} went away while it was being drained`);
    agent.draining = true;
    if (!drained) this.#log.warn("drain timed out; the agent finishes its requests during its own shutdown", { agent: agent.agentName });
    try {
      const stream = agent.session.open({
        op: "agent.upgrade",
        profile: "",
        args: { version: record.version, baseUrl: record.baseUrl },
        requestId: crypto.randomUUID(),
        deadline: Date.now() + upgradeMs,
      });
      void stream.end().catch(() => {});
      const timer = setTimeout(() => stream.reset(ResetCode.CANCELLED, "upgrade took too long"), upgradeMs);
      try {
        const { head } = await stream.readReplyHead();
        if (!head.ok) throw new Error(`agent ${agent.agentName} could not upgrade: ${head.error.message}`);
      } finally {
        clearTimeout(timer);
      }
    } catch (error) {
      first.draining = false;
      agent.draining = false;
      throw error;
    }
    const back = await until(() => this.#find(agent.groupId, agent.agentName)?.info.version === record.version, returnMs);
    if (!back) throw new Error(`agent ${agent.agentName} did not come back on ${record.version} within ${returnMs / 1000} s`);
  }

  #find(groupId: string, name: string): LiveAgent | undefined {
    return this.#registry.inGroup(groupId).find((agent) => agent.agentName === name && !agent.session.closed);
  }
}

async function until(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) return false;
    await Bun.sleep(100);
  }
  return true;
}
