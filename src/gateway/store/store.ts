/**
 * @module
 * Everything the gateway keeps across restarts, behind one small interface. Today it is
 * `sqlite-store.ts`; later a PostgreSQL store shared by several gateway nodes, so nothing
 * here knows about SQLite: methods are async, records are plain objects, ids are
 * strings (UUID v7), times are epoch milliseconds.
 *
 * Secrets never enter the store: API tokens and activation codes arrive already hashed
 * (`auth/secrets.ts`). Failures are `GatewayError`s (NOT_FOUND, ALREADY_EXISTS, CONFLICT).
 */

export interface GroupSettings {
  /** Addresses allowed to use the group, as CIDRs. Empty means any address. */
  allowedCidrs: string[];
  /** URLs that receive a POST when the group's health changes. */
  alertWebhooks?: string[];
}

export interface GroupRecord {
  id: string;
  /** Unique across the gateway. */
  name: string;
  createdAt: number;
  settings: GroupSettings;
}

/** Only what is stored; live states (`active`, `no_response`) come from the agent registry. */
export type StoredAgentStatus = "awaiting_setup" | "enabled" | "disabled";

/**
 * What an agent last said about itself (the protocol's `AgentInfo` fits; every field is
 * optional because activation may send less).
 */
export interface AgentInfo {
  version?: string;
  hostname?: string;
  pid?: number;
  user?: string;
  os?: string;
  arch?: string;
  profiles?: { name: string; kind?: string; hash?: string }[];
}

export interface AgentRecord {
  id: string;
  groupId: string;
  /** Unique within its group. */
  name: string;
  status: StoredAgentStatus;
  /** Base64 Ed25519 public key; `null` until the agent is activated. */
  publicKey: string | null;
  /** The key being rotated away from; accepted too until `completeKeyRotation`. */
  previousPublicKey: string | null;
  /** When the pending rotation started; `null` when none is pending. */
  keyRotationStartedAt: number | null;
  createdAt: number;
  activatedAt: number | null;
  lastSeenAt: number | null;
  info: AgentInfo | null;
}

export interface ActivationCodeRecord {
  agentId: string;
  createdAt: number;
  expiresAt: number;
  usedAt: number | null;
}

/** Why a code could not be redeemed. */
export type RedeemFailure = "unknown" | "used" | "expired";

export type RedeemResult =
  | { ok: true; agent: AgentRecord }
  | { ok: false; reason: RedeemFailure; expiresAt?: number };

export interface ApiTokenRecord {
  id: string;
  /** Unique among tokens that are not revoked. */
  name: string;
  /** Group names the token may use; `null` means every group. */
  groups: string[] | null;
  admin: boolean;
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

export interface GatewayStore {
  createGroup(input: { name: string; settings?: GroupSettings }): Promise<GroupRecord>;
  getGroup(id: string): Promise<GroupRecord | undefined>;
  getGroupByName(name: string): Promise<GroupRecord | undefined>;
  /** Ordered by name. */
  listGroups(): Promise<GroupRecord[]>;
  updateGroupSettings(id: string, settings: GroupSettings): Promise<GroupRecord>;
  /** Refuses (CONFLICT) while the group has agents unless `force`, which removes them too. Returns how many agents went. */
  deleteGroup(id: string, options?: { force?: boolean }): Promise<{ agentsRemoved: number }>;

  /** A new agent in `awaiting_setup`. */
  createAgent(input: { groupId: string; name: string }): Promise<AgentRecord>;
  getAgent(id: string): Promise<AgentRecord | undefined>;
  getAgentByName(groupId: string, name: string): Promise<AgentRecord | undefined>;
  /** Matches the current or the previous (rotating) key. */
  findAgentByPublicKey(publicKey: string): Promise<AgentRecord | undefined>;
  /** Ordered by name; every group's agents when `groupId` is omitted. */
  listAgents(groupId?: string): Promise<AgentRecord[]>;
  /** Enabling an agent that was never activated is a CONFLICT. */
  setAgentStatus(id: string, status: "enabled" | "disabled"): Promise<AgentRecord>;
  /** Records a connection: `lastSeenAt = now`, and the info the agent sent, if any. */
  recordAgentSeen(id: string, info?: AgentInfo): Promise<void>;
  /** Also deletes its activation codes. */
  deleteAgent(id: string): Promise<void>;

  /** Starts a rotation: `newPublicKey` becomes current, the old one stays accepted. */
  beginKeyRotation(agentId: string, newPublicKey: string): Promise<AgentRecord>;
  /** Ends a rotation (the agent connected with the new key): the old key is dropped. */
  completeKeyRotation(agentId: string): Promise<AgentRecord>;

  /** Stores a code for an agent; any unused earlier code of that agent stops working. */
  addActivationCode(input: { codeHash: string; agentId: string; expiresAt: number }): Promise<ActivationCodeRecord>;
  /**
   * Atomically marks the code used and activates its agent with `publicKey` and `info`
   * (`awaiting_setup` becomes `enabled`; a disabled agent stays disabled). Of two
   * concurrent redemptions of one code, exactly one succeeds.
   */
  redeemActivationCode(input: { codeHash: string; publicKey: string; info?: AgentInfo }): Promise<RedeemResult>;

  /** `secretHash` is the SHA-256 of the token; the token itself is never stored. */
  createApiToken(input: { name: string; secretHash: string; groups: string[] | null; admin: boolean }): Promise<ApiTokenRecord>;
  /** Revoked tokens are returned too, so callers can tell revoked from unknown. */
  findApiTokenByHash(secretHash: string): Promise<(ApiTokenRecord & { secretHash: string }) | undefined>;
  getApiToken(id: string): Promise<ApiTokenRecord | undefined>;
  /** Ordered by creation; revoked tokens included. */
  listApiTokens(): Promise<ApiTokenRecord[]>;
  revokeApiToken(id: string): Promise<ApiTokenRecord>;
  touchApiToken(id: string): Promise<void>;

  getSetting(key: string): Promise<unknown>;
  setSetting(key: string, value: unknown): Promise<void>;

  /**
   * A number that moves whenever what the store holds may have changed, through this object
   * or any other writer (the admin CLI in another process; later, another gateway node).
   * Synchronous and cheap, because the hot path's caches (`store/read-cache.ts`) ask it on
   * every request. It may move without a change (a spurious move only costs a re-read); it
   * must not stay put after a change for longer than a second. `touchApiToken` does not
   * count as a change. SQLite counts its own writes and polls `PRAGMA data_version` for
   * other processes'; a PostgreSQL store would bump it on `LISTEN/NOTIFY`.
   */
  changeVersion(): number;

  close(): Promise<void>;
}
