/**
 * @module
 * The admin operations, shared by the HTTP admin API and the `outpost gateway` CLI so
 * both enforce the same rules and say the same thing when refusing. Names come in,
 * records go out; authorization is the caller's job (the HTTP layer checks tokens, the
 * CLI trusts whoever can open the data folder). Every change is reported to the `audit`
 * sink, so the API, the console and the CLI describe it the same way; who made it is the
 * sink's business (`withAudit` binds one per request).
 */
import { issueActivationCode } from "../auth/activation-codes.ts";
import { hashSecret, newApiToken, type RandomBytes } from "../auth/secrets.ts";
import { GatewayError } from "../http-errors.ts";
import type { AgentInfo, AgentRecord, ApiTokenRecord, GatewayStore, GroupRecord } from "../store/store.ts";
import { CA_FILE_HINT, PRIVATE_CA_SETTING } from "../tls-issuer.ts";
import { checkName, mergeGroupSettings } from "./validation.ts";

/**
 * Hears each change: what happened (`"agent disabled"`) and the names and ids it touched.
 * Fields never hold a secret (a new token's secret, webhook URLs): settings are named by key.
 */
export type AuditSink = (action: string, fields: Record<string, unknown>) => void;

export interface AdminServiceOptions {
  store: GatewayStore;
  /** Called after an agent is disabled, removed or re-keyed, so a live connection can be dropped. Defaults to a no-op. */
  onAgentChanged?: (agentId: string) => void;
  /** Injected for tests. Defaults to `Date.now`. */
  now?: () => number;
  /** Injected for tests. Defaults to the OS CSPRNG. */
  random?: RandomBytes;
  /** Where changes are reported. Defaults to none. */
  audit?: AuditSink;
}

/** A freshly issued activation code and how to use it. */
export interface ActivationInstructions {
  activationCode: string;
  expiresAt: number;
  /** The exact line to run on the agent's machine. */
  command: string;
}

export class AdminService {
  readonly store: GatewayStore;
  readonly #onAgentChanged: (agentId: string) => void;
  readonly #now: () => number;
  readonly #random?: RandomBytes;
  readonly #audit: AuditSink;
  readonly #options: AdminServiceOptions;

  constructor(options: AdminServiceOptions) {
    this.#options = options;
    this.store = options.store;
    this.#onAgentChanged = options.onAgentChanged ?? (() => {});
    this.#now = options.now ?? Date.now;
    this.#random = options.random;
    this.#audit = options.audit ?? (() => {});
  }

  /** The same service reporting its changes to `audit` (one per admin request: it knows the actor). */
  withAudit(audit: AuditSink): AdminService {
    return new AdminService({ ...this.#options, audit });
  }

  // ---- groups --------------------------------------------------------------------

  async createGroup(name: unknown, settings?: unknown): Promise<GroupRecord> {
    const checked = checkName("group", name);
    const group = await this.store.createGroup({ name: checked, settings: mergeGroupSettings({ allowedCidrs: [] }, settings) });
    this.#audit("group created", { group: group.name, settings: keysOf(settings) });
    return group;
  }

  /** Throws NOT_FOUND with the group's name. */
  async group(name: string): Promise<GroupRecord> {
    const group = await this.store.getGroupByName(name);
    if (!group) throw new GatewayError("NOT_FOUND", `group "${name}" does not exist`);
    return group;
  }

  async updateGroupSettings(name: string, patch: unknown): Promise<GroupRecord> {
    const group = await this.group(name);
    const updated = await this.store.updateGroupSettings(group.id, mergeGroupSettings(group.settings, patch));
    this.#audit("group settings changed", { group: group.name, settings: keysOf(patch) });
    return updated;
  }

  async deleteGroup(name: string, force = false): Promise<{ agentsRemoved: number }> {
    const group = await this.group(name);
    const agents = await this.store.listAgents(group.id);
    if (agents.length > 0 && !force) {
      throw new GatewayError("CONFLICT", `group "${name}" still has ${agents.length} agent(s); remove them first or force the delete`);
    }
    const result = await this.store.deleteGroup(group.id, { force });
    for (const agent of agents) this.#onAgentChanged(agent.id);
    this.#audit("group deleted", { group: group.name, agentsRemoved: result.agentsRemoved, force });
    return result;
  }

  // ---- agents --------------------------------------------------------------------

  async addAgent(groupName: string, agentName: unknown, gatewayUrl: string | undefined): Promise<{ group: GroupRecord; agent: AgentRecord } & ActivationInstructions> {
    const group = await this.group(groupName);
    const agent = await this.store.createAgent({ groupId: group.id, name: checkName("agent", agentName) }).catch((error) => {
      throw renameConflict(error, `agent "${String(agentName)}" already exists in group "${groupName}"`);
    });
    this.#audit("agent added", { group: group.name, agent: agent.name, agentId: agent.id });
    return { group, agent, ...(await this.#instructions(agent.id, gatewayUrl)) };
  }

  /** Finds an agent of the group by name (or by id). Throws NOT_FOUND. */
  async agent(groupName: string, agentName: string): Promise<{ group: GroupRecord; agent: AgentRecord }> {
    const group = await this.group(groupName);
    const agent = (await this.store.getAgentByName(group.id, agentName)) ?? (await this.store.getAgent(agentName));
    if (!agent || agent.groupId !== group.id) throw new GatewayError("NOT_FOUND", `agent "${agentName}" does not exist in group "${groupName}"`);
    return { group, agent };
  }

  async setAgentStatus(groupName: string, agentName: string, status: "enabled" | "disabled"): Promise<AgentRecord> {
    const { group, agent } = await this.agent(groupName, agentName);
    const updated = await this.store.setAgentStatus(agent.id, status);
    this.#onAgentChanged(agent.id);
    this.#audit(`agent ${status}`, { group: group.name, agent: agent.name, agentId: agent.id });
    return updated;
  }

  async removeAgent(groupName: string, agentName: string): Promise<AgentRecord> {
    const { group, agent } = await this.agent(groupName, agentName);
    await this.store.deleteAgent(agent.id);
    this.#onAgentChanged(agent.id);
    this.#audit("agent removed", { group: group.name, agent: agent.name, agentId: agent.id });
    return agent;
  }

  /** A new one-time code for an existing agent (a new machine, a lost key); earlier unused codes stop working. */
  async newActivationCode(groupName: string, agentName: string, gatewayUrl: string | undefined): Promise<{ agent: AgentRecord } & ActivationInstructions> {
    const { group, agent } = await this.agent(groupName, agentName);
    const instructions = await this.#instructions(agent.id, gatewayUrl);
    this.#audit("activation code issued", { group: group.name, agent: agent.name, agentId: agent.id });
    return { agent, ...instructions };
  }

  // ---- tokens --------------------------------------------------------------------

  /** Returns the token's secret, the only time it exists outside the caller's hands. */
  async createToken(input: { name: unknown; groups?: unknown; admin?: unknown }): Promise<{ token: ApiTokenRecord; secret: string }> {
    const name = checkName("token", input.name);
    const admin = input.admin ?? false;
    if (typeof admin !== "boolean") throw new GatewayError("BAD_REQUEST", "admin must be true or false");
    let groups: string[] | null = null;
    if (input.groups !== undefined && input.groups !== null) {
      if (!Array.isArray(input.groups) || input.groups.length === 0) throw new GatewayError("BAD_REQUEST", "groups must be a non-empty list of group names, or null for every group");
      if (admin) throw new GatewayError("BAD_REQUEST", "an admin token covers every group; do not list groups for it");
      groups = [];
      for (const group of input.groups) groups.push((await this.group(checkName("group", group))).name);
    }
    const { secret, hash } = newApiToken(this.#random);
    const token = await this.store.createApiToken({ name, secretHash: hash, groups, admin });
    this.#audit("API token created", { name: token.name, id: token.id, admin: token.admin, groups: token.groups });
    return { token, secret };
  }

  /** Revokes by id or by the name of a token that is not revoked yet. */
  async revokeToken(nameOrId: string): Promise<ApiTokenRecord> {
    const tokens = await this.store.listApiTokens();
    const token = tokens.find((t) => t.id === nameOrId) ?? tokens.find((t) => t.name === nameOrId && t.revokedAt === null);
    if (!token) throw new GatewayError("NOT_FOUND", `token "${nameOrId}" does not exist or is already revoked`);
    const revoked = await this.store.revokeApiToken(token.id);
    this.#audit("API token revoked", { name: token.name, id: token.id });
    return revoked;
  }

  // ---- activation ----------------------------------------------------------------

  /**
   * Redeems a one-time code for the agent's public key. Throws UNAUTHENTICATED for an
   * unknown code, GONE for a used or expired one, CONFLICT when another agent already
   * holds the key (checked first, so the code is not spent on a refusal).
   */
  async activate(input: { code: string; publicKey: string; info?: AgentInfo }): Promise<{ group: GroupRecord; agent: AgentRecord }> {
    const holder = await this.store.findAgentByPublicKey(input.publicKey);
    if (holder) {
      throw new GatewayError("CONFLICT", "this public key already belongs to another agent; each agent needs its own identity");
    }
    const result = await this.store.redeemActivationCode({ codeHash: hashSecret(input.code), publicKey: input.publicKey, info: input.info });
    if (!result.ok) {
      const renew = "ask the gateway administrator for a new one (outpost gateway agent code GROUP NAME)";
      if (result.reason === "unknown") throw new GatewayError("UNAUTHENTICATED", "activation code is not valid");
      if (result.reason === "used") throw new GatewayError("GONE", `activation code has already been used; ${renew}`);
      throw new GatewayError("GONE", `activation code expired at ${new Date(result.expiresAt ?? 0).toISOString()}; ${renew}`);
    }
    // A re-activated agent gets a new key: any connection made with the old one must go.
    this.#onAgentChanged(result.agent.id);
    const group = await this.store.getGroup(result.agent.groupId);
    if (!group) throw new GatewayError("NOT_FOUND", "the agent's group was deleted");
    // The actor is the agent itself: it redeemed the one-time code an admin issued.
    this.#audit("agent activated", { group: group.name, agent: result.agent.name, agentId: result.agent.id });
    return { group, agent: result.agent };
  }

  async #instructions(agentId: string, gatewayUrl: string | undefined): Promise<ActivationInstructions> {
    const { code, expiresAt } = await issueActivationCode(this.store, agentId, { now: this.#now, random: this.#random });
    // A gateway on a private CA: the agent must be given that CA, or activation fails on TLS.
    const ca = (await this.store.getSetting(PRIVATE_CA_SETTING)) === true ? ` --ca ${CA_FILE_HINT}` : "";
    return { activationCode: code, expiresAt, command: `outpost activate ${code} --gateway ${gatewayUrl ?? "<gateway-url>"}${ca}` };
  }
}

function renameConflict(error: unknown, message: string): unknown {
  return error instanceof GatewayError && error.code === "ALREADY_EXISTS" ? new GatewayError("ALREADY_EXISTS", message, { cause: error }) : error;
}

/** The keys a settings object set; their values may hold secrets (webhook URLs carry tokens). */
function keysOf(settings: unknown): string[] | undefined {
  return settings !== null && typeof settings === "object" && !Array.isArray(settings) ? Object.keys(settings) : undefined;
}
