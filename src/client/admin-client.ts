/**
 * @module
 * The admin API (docs/api.md): groups, their agents, and API tokens. Changes need an
 * admin token; reads need a token whose scope includes the group. Reads are retried when
 * the gateway says they may be; changes never are.
 */
import { segment, type CallOptions, type SendRequest, type Transport } from "./transport.ts";

export interface GroupSettings {
  /** Caller addresses allowed to use the group; empty means any. */
  allowedCidrs?: string[];
  alertWebhooks?: string[];
}

export interface Group {
  id: string;
  name: string;
  /** Over enabled agents: `active` all of them connected, `degraded` some, `inactive` none. */
  status: "active" | "degraded" | "inactive";
  createdAt: string;
  settings: GroupSettings;
  agentCount: number;
  enabledAgents: number;
  activeAgents: number;
  /** Profile → the distinct settings hashes of connected agents, where they differ. */
  drift: Record<string, string[]>;
  /** Profile → the connected agents offering it, for profiles only some of them offer. */
  onlyOn: Record<string, string[]>;
}

export interface Agent {
  id: string;
  group: string;
  name: string;
  status: "awaiting_setup" | "active" | "no_response" | "disabled";
  publicKey: string | null;
  keyRotationPending: boolean;
  createdAt: string | null;
  activatedAt: string | null;
  lastSeenAt: string | null;
  /** When the last connection ended; `null` while connected. */
  disconnectedAt: string | null;
  connection: { remoteIp: string; connectedSince: string | null; inFlight: number } | null;
  info: Record<string, unknown> | null;
}

/** An agent just added or given a new code: the one-time code and the command to run. */
export interface AgentActivation {
  agent: Agent;
  activationCode: string;
  expiresAt: string;
  command: string;
}

export interface ApiToken {
  id: string;
  name: string;
  admin: boolean;
  /** `null` for every group. */
  groups: string[] | null;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface NewToken {
  name: string;
  /** Groups the token may use; omit for every group. */
  groups?: string[];
  /** An admin token (covers every group; leave `groups` out). Defaults to `false`. */
  admin?: boolean;
}

/** A group's rolling upgrade (docs/api.md, "Rolling upgrade"). */
export interface Rollout {
  version: string;
  /** Release base URL the agents download from; theirs when absent. */
  baseUrl?: string;
  state: "pending" | "running" | "done" | "failed";
  requestedAt: string;
  updatedAt: string;
  /** Agent names already on the version. */
  upgraded: string[];
  /** The agent being upgraded now. */
  current?: string;
  error?: string;
}

export class AdminClient {
  readonly #transport: Transport;

  /** Made by `client.admin`. */
  constructor(transport: Transport) {
    this.#transport = transport;
  }

  readonly groups = {
    create: async (name: string, settings?: GroupSettings, options?: CallOptions): Promise<Group> =>
      (await this.#json<{ group: Group }>("POST", "/v1/groups", options, { name, settings })).group,
    list: async (options?: CallOptions): Promise<Group[]> => (await this.#json<{ groups: Group[] }>("GET", "/v1/groups", options)).groups,
    get: (name: string, options?: CallOptions): Promise<{ group: Group; agents: Agent[] }> =>
      this.#json("GET", groupPath(name), options),
    /** Fields present replace the old value; absent ones stay. */
    update: async (name: string, settings: GroupSettings, options?: CallOptions): Promise<Group> =>
      (await this.#json<{ group: Group }>("PATCH", groupPath(name), options, { settings })).group,
    /** Refused (409) while the group has agents, unless `force` removes them too. */
    delete: (name: string, options: CallOptions & { force?: boolean } = {}): Promise<{ group: string; agentsRemoved: number }> =>
      this.#json<{ deleted: { group: string; agentsRemoved: number } }>("DELETE", groupPath(name), options, undefined, {
        force: options.force ? "1" : undefined,
      }).then((answer) => answer.deleted),
  };

  readonly agents = {
    /** Adds an agent; the answer holds its one-time activation code (valid one hour). */
    add: (group: string, name: string, options?: CallOptions): Promise<AgentActivation> =>
      this.#json("POST", `${groupPath(group)}/agents`, options, { name }),
    list: async (group: string, options?: CallOptions): Promise<Agent[]> =>
      (await this.#json<{ agents: Agent[] }>("GET", `${groupPath(group)}/agents`, options)).agents,
    get: async (group: string, agent: string, options?: CallOptions): Promise<Agent> =>
      (await this.#json<{ agent: Agent }>("GET", agentPath(group, agent), options)).agent,
    enable: async (group: string, agent: string, options?: CallOptions): Promise<Agent> =>
      (await this.#json<{ agent: Agent }>("POST", `${agentPath(group, agent)}/enable`, options)).agent,
    disable: async (group: string, agent: string, options?: CallOptions): Promise<Agent> =>
      (await this.#json<{ agent: Agent }>("POST", `${agentPath(group, agent)}/disable`, options)).agent,
    remove: async (group: string, agent: string, options?: CallOptions): Promise<{ group: string; agent: string; id: string }> =>
      (await this.#json<{ deleted: { group: string; agent: string; id: string } }>("DELETE", agentPath(group, agent), options)).deleted,
    /** A new one-time code; any unused earlier code of the agent stops working. */
    activationCode: (group: string, agent: string, options?: CallOptions): Promise<AgentActivation> =>
      this.#json("POST", `${agentPath(group, agent)}/activation-code`, options),
  };

  readonly tokens = {
    /** Creates a token; `secret` is in this answer only. */
    create: (token: NewToken, options?: CallOptions): Promise<{ token: ApiToken; secret: string }> =>
      this.#json("POST", "/v1/admin/tokens", options, token),
    /** Every token, revoked ones included; never their secrets. */
    list: async (options?: CallOptions): Promise<ApiToken[]> =>
      (await this.#json<{ tokens: ApiToken[] }>("GET", "/v1/admin/tokens", options)).tokens,
    /** Revokes a token by name or id; it answers 401 from then on. */
    revoke: async (nameOrId: string, options?: CallOptions): Promise<ApiToken> =>
      (await this.#json<{ token: ApiToken }>("DELETE", `/v1/admin/tokens/${segment(nameOrId)}`, options)).token,
  };

  readonly rollouts = {
    /** Asks the gateway to upgrade the group's agents one at a time; 409 while one is pending or running. */
    start: async (group: string, release: { version: string; baseUrl?: string }, options?: CallOptions): Promise<Rollout> =>
      isoRollout((await this.#json<{ rollout: RawRollout }>("POST", `${groupPath(group)}/upgrade`, options, release)).rollout),
    /** The group's latest rollout; 404 when it never had one. */
    get: async (group: string, options?: CallOptions): Promise<Rollout> =>
      isoRollout((await this.#json<{ rollout: RawRollout }>("GET", `${groupPath(group)}/upgrade`, options)).rollout),
  };

  #json<T>(method: string, path: string, options: CallOptions = {}, body?: unknown, query?: SendRequest["query"]): Promise<T> {
    return this.#transport.json<T>({
      method,
      path,
      query,
      headers: body === undefined ? undefined : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: options.signal,
      requestId: options.requestId,
      idempotent: method === "GET",
    });
  }
}

/** Gateways before 0.2 answered rollout times as epoch ms; every other time in the API is ISO. */
type RawRollout = Omit<Rollout, "requestedAt" | "updatedAt"> & { requestedAt: string | number; updatedAt: string | number };

function isoRollout(raw: RawRollout): Rollout {
  return { ...raw, requestedAt: new Date(raw.requestedAt).toISOString(), updatedAt: new Date(raw.updatedAt).toISOString() };
}

function groupPath(group: string): string {
  return `/v1/groups/${segment(group)}`;
}

function agentPath(group: string, agent: string): string {
  return `${groupPath(group)}/agents/${segment(agent)}`;
}
