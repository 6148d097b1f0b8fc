/**
 * @module
 * `GatewayStore` on bun:sqlite, in one file `gateway.db`. WAL mode and a busy timeout let
 * the admin CLI and a running gateway use the file at the same time; every write that
 * reads first runs in `BEGIN IMMEDIATE` so two processes cannot interleave inside it.
 * The calls are synchronous underneath; the async interface is for the PostgreSQL store.
 */
import { Database } from "bun:sqlite";
import { GatewayError } from "../http-errors.ts";
import { migrate } from "./sqlite-schema.ts";
import { type AgentRow, type GroupRow, type TokenRow, toAgent, toGroup, toToken } from "./sqlite-rows.ts";
import type {
  ActivationCodeRecord, AgentInfo, AgentRecord, ApiTokenRecord, GatewayStore, GroupRecord, GroupSettings, RedeemResult,
} from "./store.ts";

export interface SqliteStoreOptions {
  /** Path of the database file, or `:memory:`. */
  path: string;
  /** Milliseconds SQLite waits for another process's lock. Defaults to `5000`. */
  busyTimeoutMs?: number;
  /** Injected for tests. Defaults to `Date.now`. */
  now?: () => number;
  /** Injected for tests. Defaults to `Bun.randomUUIDv7`. */
  newId?: () => string;
}

export class SqliteGatewayStore implements GatewayStore {
  readonly #db: Database;
  readonly #now: () => number;
  readonly #newId: () => string;
  /** Bumped by every write method of this object (before it runs) and by `#watchOthers`. */
  #changes = 0;
  #watch: ReturnType<typeof setInterval> | undefined;

  constructor(options: SqliteStoreOptions) {
    this.#db = new Database(options.path, { create: true, strict: true });
    this.#now = options.now ?? Date.now;
    this.#newId = options.newId ?? (() => Bun.randomUUIDv7());
    this.#db.run(`PRAGMA busy_timeout = ${Math.trunc(options.busyTimeoutMs ?? 5000)}`);
    this.#db.run("PRAGMA journal_mode = WAL");
    this.#db.run("PRAGMA synchronous = NORMAL");
    this.#db.run("PRAGMA foreign_keys = ON");
    migrate(this.#db);
  }

  /**
   * This object's writes count at once; another process's commits are seen by polling
   * `PRAGMA data_version` (it moves when another connection commits) every 200 ms, from the
   * first call on. Reading SQLite here on every request instead cost more than the lookups
   * the cache saves (WAL reads take file locks).
   */
  changeVersion(): number {
    if (!this.#watch) this.#watchOthers();
    return this.#changes;
  }

  #watchOthers(): void {
    const query = this.#db.query<{ data_version: number }, []>("PRAGMA data_version");
    let seen = query.get()!.data_version;
    this.#watch = setInterval(() => {
      const now = query.get()!.data_version;
      if (now !== seen) this.#changes++;
      seen = now;
    }, 200);
    this.#watch.unref?.();
  }

  // ---- groups --------------------------------------------------------------------

  async createGroup(input: { name: string; settings?: GroupSettings }): Promise<GroupRecord> {
    this.#changes++;
    const group: GroupRecord = { id: this.#newId(), name: input.name, createdAt: this.#now(), settings: input.settings ?? { allowedCidrs: [] } };
    this.#unique(`group "${input.name}" already exists`, () =>
      this.#db.run("INSERT INTO groups (id, name, created_at, settings) VALUES (?, ?, ?, ?)", [
        group.id, group.name, group.createdAt, JSON.stringify(group.settings),
      ]),
    );
    return group;
  }

  async getGroup(id: string): Promise<GroupRecord | undefined> {
    const row = this.#db.query<GroupRow, [string]>("SELECT * FROM groups WHERE id = ?").get(id);
    return row ? toGroup(row) : undefined;
  }

  async getGroupByName(name: string): Promise<GroupRecord | undefined> {
    const row = this.#db.query<GroupRow, [string]>("SELECT * FROM groups WHERE name = ?").get(name);
    return row ? toGroup(row) : undefined;
  }

  async listGroups(): Promise<GroupRecord[]> {
    return this.#db.query<GroupRow, []>("SELECT * FROM groups ORDER BY name").all().map(toGroup);
  }

  async updateGroupSettings(id: string, settings: GroupSettings): Promise<GroupRecord> {
    this.#changes++;
    const row = this.#db
      .query<GroupRow, [string, string]>("UPDATE groups SET settings = ? WHERE id = ? RETURNING *")
      .get(JSON.stringify(settings), id);
    if (!row) throw notFound("group", id);
    return toGroup(row);
  }

  async deleteGroup(id: string, options: { force?: boolean } = {}): Promise<{ agentsRemoved: number }> {
    this.#changes++;
    const remove = this.#db.transaction(() => {
      const group = this.#db.query<GroupRow, [string]>("SELECT * FROM groups WHERE id = ?").get(id);
      if (!group) throw notFound("group", id);
      const { count } = this.#db.query<{ count: number }, [string]>("SELECT count(*) AS count FROM agents WHERE group_id = ?").get(id)!;
      if (count > 0 && !options.force) {
        throw new GatewayError("CONFLICT", `group "${group.name}" still has ${count} agent(s); remove them first or force the delete`);
      }
      this.#db.run("DELETE FROM groups WHERE id = ?", [id]);
      return { agentsRemoved: count };
    });
    return remove.immediate();
  }

  // ---- agents --------------------------------------------------------------------

  async createAgent(input: { groupId: string; name: string }): Promise<AgentRecord> {
    this.#changes++;
    const agent: AgentRecord = {
      id: this.#newId(), groupId: input.groupId, name: input.name, status: "awaiting_setup",
      publicKey: null, previousPublicKey: null, keyRotationStartedAt: null,
      createdAt: this.#now(), activatedAt: null, lastSeenAt: null, info: null,
    };
    if (!(await this.getGroup(input.groupId))) throw notFound("group", input.groupId);
    this.#unique(`agent "${input.name}" already exists in this group`, () =>
      this.#db.run("INSERT INTO agents (id, group_id, name, status, created_at) VALUES (?, ?, ?, ?, ?)", [
        agent.id, agent.groupId, agent.name, agent.status, agent.createdAt,
      ]),
    );
    return agent;
  }

  async getAgent(id: string): Promise<AgentRecord | undefined> {
    const row = this.#db.query<AgentRow, [string]>("SELECT * FROM agents WHERE id = ?").get(id);
    return row ? toAgent(row) : undefined;
  }

  async getAgentByName(groupId: string, name: string): Promise<AgentRecord | undefined> {
    const row = this.#db.query<AgentRow, [string, string]>("SELECT * FROM agents WHERE group_id = ? AND name = ?").get(groupId, name);
    return row ? toAgent(row) : undefined;
  }

  async findAgentByPublicKey(publicKey: string): Promise<AgentRecord | undefined> {
    const row = this.#db
      .query<AgentRow, [string, string]>("SELECT * FROM agents WHERE public_key = ? OR previous_public_key = ? LIMIT 1")
      .get(publicKey, publicKey);
    return row ? toAgent(row) : undefined;
  }

  async listAgents(groupId?: string): Promise<AgentRecord[]> {
    const rows = groupId === undefined
      ? this.#db.query<AgentRow, []>("SELECT * FROM agents ORDER BY name, id").all()
      : this.#db.query<AgentRow, [string]>("SELECT * FROM agents WHERE group_id = ? ORDER BY name").all(groupId);
    return rows.map(toAgent);
  }

  async setAgentStatus(id: string, status: "enabled" | "disabled"): Promise<AgentRecord> {
    this.#changes++;
    const update = this.#db.transaction(() => {
      const agent = this.#agentOrThrow(id);
      if (status === "enabled" && agent.publicKey === null) {
        throw new GatewayError("CONFLICT", `agent "${agent.name}" has not been activated yet; it is enabled when it activates`);
      }
      return toAgent(this.#db.query<AgentRow, [string, string]>("UPDATE agents SET status = ? WHERE id = ? RETURNING *").get(status, id)!);
    });
    return update.immediate();
  }

  async recordAgentSeen(id: string, info?: AgentInfo): Promise<void> {
    this.#changes++;
    const result = info === undefined
      ? this.#db.run("UPDATE agents SET last_seen_at = ? WHERE id = ?", [this.#now(), id])
      : this.#db.run("UPDATE agents SET last_seen_at = ?, info = ? WHERE id = ?", [this.#now(), JSON.stringify(info), id]);
    if (result.changes === 0) throw notFound("agent", id);
  }

  async deleteAgent(id: string): Promise<void> {
    this.#changes++;
    if (this.#db.run("DELETE FROM agents WHERE id = ?", [id]).changes === 0) throw notFound("agent", id);
  }

  async beginKeyRotation(agentId: string, newPublicKey: string): Promise<AgentRecord> {
    this.#changes++;
    const rotate = this.#db.transaction(() => {
      const agent = this.#agentOrThrow(agentId);
      if (agent.publicKey === null) throw new GatewayError("CONFLICT", `agent "${agent.name}" has no key to rotate; activate it first`);
      if (agent.publicKey === newPublicKey) return agent;
      // A rotation begun while another is pending keeps the oldest key the agent may still hold.
      const previous = agent.previousPublicKey ?? agent.publicKey;
      const row = this.#db
        .query<AgentRow, [string, string, number, string]>(
          "UPDATE agents SET public_key = ?, previous_public_key = ?, key_rotation_started_at = ? WHERE id = ? RETURNING *",
        )
        .get(newPublicKey, previous, this.#now(), agentId)!;
      return toAgent(row);
    });
    return rotate.immediate();
  }

  async completeKeyRotation(agentId: string): Promise<AgentRecord> {
    this.#changes++;
    const row = this.#db
      .query<AgentRow, [string]>("UPDATE agents SET previous_public_key = NULL, key_rotation_started_at = NULL WHERE id = ? RETURNING *")
      .get(agentId);
    if (!row) throw notFound("agent", agentId);
    return toAgent(row);
  }

  // ---- activation codes ----------------------------------------------------------

  async addActivationCode(input: { codeHash: string; agentId: string; expiresAt: number }): Promise<ActivationCodeRecord> {
    this.#changes++;
    const record: ActivationCodeRecord = { agentId: input.agentId, createdAt: this.#now(), expiresAt: input.expiresAt, usedAt: null };
    const add = this.#db.transaction(() => {
      this.#agentOrThrow(input.agentId);
      this.#db.run("DELETE FROM activation_codes WHERE agent_id = ? AND used_at IS NULL", [input.agentId]);
      this.#db.run("INSERT INTO activation_codes (code_hash, agent_id, created_at, expires_at) VALUES (?, ?, ?, ?)", [
        input.codeHash, input.agentId, record.createdAt, record.expiresAt,
      ]);
    });
    add.immediate();
    return record;
  }

  async redeemActivationCode(input: { codeHash: string; publicKey: string; info?: AgentInfo }): Promise<RedeemResult> {
    this.#changes++;
    const redeem = this.#db.transaction((): RedeemResult => {
      const now = this.#now();
      // The conditional UPDATE is the one-time guard: only one caller can flip used_at from NULL.
      const claimed = this.#db
        .query<{ agent_id: string }, [number, string, number]>(
          "UPDATE activation_codes SET used_at = ? WHERE code_hash = ? AND used_at IS NULL AND expires_at > ? RETURNING agent_id",
        )
        .get(now, input.codeHash, now);
      if (!claimed) {
        const code = this.#db
          .query<{ used_at: number | null; expires_at: number }, [string]>("SELECT used_at, expires_at FROM activation_codes WHERE code_hash = ?")
          .get(input.codeHash);
        if (!code) return { ok: false, reason: "unknown" };
        return code.used_at !== null ? { ok: false, reason: "used" } : { ok: false, reason: "expired", expiresAt: code.expires_at };
      }
      const row = this.#db
        .query<AgentRow, [string, number, string | null, string]>(
          `UPDATE agents SET public_key = ?, previous_public_key = NULL, key_rotation_started_at = NULL,
             status = CASE status WHEN 'awaiting_setup' THEN 'enabled' ELSE status END,
             activated_at = ?, info = coalesce(?, info)
           WHERE id = ? RETURNING *`,
        )
        .get(input.publicKey, now, input.info === undefined ? null : JSON.stringify(input.info), claimed.agent_id)!;
      return { ok: true, agent: toAgent(row) };
    });
    return redeem.immediate();
  }

  // ---- API tokens ----------------------------------------------------------------

  async createApiToken(input: { name: string; secretHash: string; groups: string[] | null; admin: boolean }): Promise<ApiTokenRecord> {
    this.#changes++;
    const token: ApiTokenRecord = {
      id: this.#newId(), name: input.name, groups: input.groups, admin: input.admin,
      createdAt: this.#now(), lastUsedAt: null, revokedAt: null,
    };
    this.#unique(`a token named "${input.name}" already exists`, () =>
      this.#db.run("INSERT INTO api_tokens (id, name, secret_hash, groups, admin, created_at) VALUES (?, ?, ?, ?, ?, ?)", [
        token.id, token.name, input.secretHash, token.groups === null ? null : JSON.stringify(token.groups), token.admin ? 1 : 0, token.createdAt,
      ]),
    );
    return token;
  }

  async findApiTokenByHash(secretHash: string): Promise<(ApiTokenRecord & { secretHash: string }) | undefined> {
    const row = this.#db.query<TokenRow, [string]>("SELECT * FROM api_tokens WHERE secret_hash = ?").get(secretHash);
    return row ? { ...toToken(row), secretHash: row.secret_hash } : undefined;
  }

  async getApiToken(id: string): Promise<ApiTokenRecord | undefined> {
    const row = this.#db.query<TokenRow, [string]>("SELECT * FROM api_tokens WHERE id = ?").get(id);
    return row ? toToken(row) : undefined;
  }

  async listApiTokens(): Promise<ApiTokenRecord[]> {
    return this.#db.query<TokenRow, []>("SELECT * FROM api_tokens ORDER BY created_at, id").all().map(toToken);
  }

  async revokeApiToken(id: string): Promise<ApiTokenRecord> {
    this.#changes++;
    const row = this.#db
      .query<TokenRow, [number, string]>("UPDATE api_tokens SET revoked_at = coalesce(revoked_at, ?) WHERE id = ? RETURNING *")
      .get(this.#now(), id);
    if (!row) throw notFound("token", id);
    return toToken(row);
  }

  async touchApiToken(id: string): Promise<void> {
    this.#db.run("UPDATE api_tokens SET last_used_at = ? WHERE id = ?", [this.#now(), id]);
  }

  // ---- settings ------------------------------------------------------------------

  async getSetting(key: string): Promise<unknown> {
    const row = this.#db.query<{ value: string }, [string]>("SELECT value FROM settings WHERE key = ?").get(key);
    return row ? JSON.parse(row.value) : undefined;
  }

  async setSetting(key: string, value: unknown): Promise<void> {
    this.#changes++;
    this.#db.run("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", [
      key, JSON.stringify(value),
    ]);
  }

  async close(): Promise<void> {
    clearInterval(this.#watch);
    this.#db.close();
  }

  #agentOrThrow(id: string): AgentRecord {
    const row = this.#db.query<AgentRow, [string]>("SELECT * FROM agents WHERE id = ?").get(id);
    if (!row) throw notFound("agent", id);
    return toAgent(row);
  }

  #unique(message: string, write: () => void): void {
    try {
      write();
    } catch (error) {
      if ((error as { code?: unknown }).code === "SQLITE_CONSTRAINT_UNIQUE") throw new GatewayError("ALREADY_EXISTS", message, { cause: error });
      throw error;
    }
  }
}

function notFound(kind: string, id: string): GatewayError {
  return new GatewayError("NOT_FOUND", `${kind} ${id} does not exist`);
}
