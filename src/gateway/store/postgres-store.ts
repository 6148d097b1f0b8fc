/**
 * @module
 * `GatewayStore` on PostgreSQL (postgres.js), for gateway nodes that share one database;
 * the same behaviour as `sqlite-store.ts`, which stays the default for one node. Writes
 * that read first run in a transaction that locks the rows they read (`FOR … UPDATE`),
 * where the SQLite store uses `BEGIN IMMEDIATE`; a one-time activation code is claimed by
 * a conditional UPDATE, which PostgreSQL re-checks after a concurrent claim commits, so
 * exactly one of two redemptions wins. `changeVersion()` is `postgres-changes.ts`.
 */
import type { Sql, TransactionSql } from "postgres";
import { GatewayError } from "../http-errors.ts";
import { ChangeListener } from "./postgres-changes.ts";
import { AGENT_COLUMNS, GROUP_COLUMNS, INT8_AS_NUMBER, TOKEN_COLUMNS, type TokenRow, toToken } from "./postgres-rows.ts";
import { migrate } from "./postgres-schema.ts";
import { parseStoreUrl, scrub } from "./postgres-url.ts";
import type {
  ActivationCodeRecord, AgentInfo, AgentRecord, ApiTokenRecord, GatewayStore, GroupRecord, GroupSettings, RedeemResult,
} from "./store.ts";

export interface PostgresStoreOptions {
  /** `postgres://user:password@host:port/db`, optionally `?sslmode=verify-full&sslrootcert=ca.pem`. */
  url: string;
  /** Connections in the pool. Defaults to `10`. */
  maxConnections?: number;
  /** Injected for tests. Defaults to `Date.now`. */
  now?: () => number;
  /** Injected for tests. Defaults to `Bun.randomUUIDv7`. */
  newId?: () => string;
  /** Told when the LISTEN connection drops or comes back; the message holds no secret. */
  onListenState?: (listening: boolean, message?: string) => void;
  /** How often the LISTEN connection is probed, and how long a probe may take. Defaults to `5000`. */
  listenProbeMs?: number;
}

const UNIQUE_VIOLATION = "23505";
const FOREIGN_KEY_VIOLATION = "23503";
const DEADLOCK_DETECTED = "40P01";
/** Tries of a write that PostgreSQL aborted as a deadlock victim (it rolled back whole). */
const DEADLOCK_TRIES = 3;

/** Connects, migrates under the advisory lock, and starts listening; errors never hold the password. */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<PostgresGatewayStore> {
  const target = parseStoreUrl(options.url);
  // Loaded on first use only (build/layer-rules.ts): the driver costs start-up time.
  const { default: postgres } = await import("postgres");
  const base = {
    ssl: target.ssl as never,
    types: { int8: INT8_AS_NUMBER },
    transform: { column: { from: postgres.toCamel } },
    onnotice: () => {},
  };
  // Unique per store object: the NOTIFY payload of its writes (see postgres-schema.ts).
  const writerName = `outpost-gateway ${crypto.randomUUID()}`;
  const sql = postgres(target.url, { ...base, max: options.maxConnections ?? 10, connection: { application_name: writerName } });
  const changes = new ChangeListener({
    ownPayload: writerName,
    probeMs: options.listenProbeMs,
    connect: (handlers) =>
      postgres(target.url, {
        ...base, max: 1, max_lifetime: null, fetch_types: false,
        connection: { application_name: "outpost-gateway-listen" }, ...handlers,
      }),
    onstate: (listening, error) =>
      options.onListenState?.(listening, error === undefined ? undefined : scrub(String((error as Error).message), target.password)),
  });
  try {
    await migrate(sql);
    await changes.start();
  } catch (error) {
    await Promise.allSettled([sql.end({ timeout: 1 }), changes.close()]);
    const message = scrub(error instanceof Error ? error.message : String(error), target.password);
    throw new Error(`cannot open the gateway store ${target.redacted}: ${message}`);
  }
  return new PostgresGatewayStore({ sql, changes, now: options.now, newId: options.newId });
}

export class PostgresGatewayStore implements GatewayStore {
  readonly #sql: Sql<any>;
  readonly #changes: ChangeListener;
  readonly #now: () => number;
  readonly #newId: () => string;

  /** Use `openPostgresStore`, which migrates and listens first. */
  constructor(options: { sql: Sql<any>; changes: ChangeListener; now?: () => number; newId?: () => string }) {
    this.#sql = options.sql;
    this.#changes = options.changes;
    this.#now = options.now ?? Date.now;
    this.#newId = options.newId ?? (() => Bun.randomUUIDv7());
  }

  changeVersion(): number {
    return this.#changes.value();
  }

  // ---- groups --------------------------------------------------------------------

  async createGroup(input: { name: string; settings?: GroupSettings }): Promise<GroupRecord> {
    const group: GroupRecord = { id: this.#newId(), name: input.name, createdAt: this.#now(), settings: input.settings ?? { allowedCidrs: [] } };
    await this.#write(`group "${input.name}" already exists`, () =>
      this.#sql`INSERT INTO groups (id, name, created_at, settings)
        VALUES (${group.id}, ${group.name}, ${group.createdAt}, ${this.#json(group.settings)})`);
    return group;
  }

  async getGroup(id: string): Promise<GroupRecord | undefined> {
    const [row] = await this.#sql<GroupRecord[]>`SELECT ${this.#sql.unsafe(GROUP_COLUMNS)} FROM groups WHERE id = ${id}`;
    return row;
  }

  async getGroupByName(name: string): Promise<GroupRecord | undefined> {
    const [row] = await this.#sql<GroupRecord[]>`SELECT ${this.#sql.unsafe(GROUP_COLUMNS)} FROM groups WHERE name = ${name}`;
    return row;
  }

  async listGroups(): Promise<GroupRecord[]> {
    return [...(await this.#sql<GroupRecord[]>`SELECT ${this.#sql.unsafe(GROUP_COLUMNS)} FROM groups ORDER BY name COLLATE "C"`)];
  }

  async updateGroupSettings(id: string, settings: GroupSettings): Promise<GroupRecord> {
    const [row] = await this.#write(undefined, () =>
      this.#sql<GroupRecord[]>`UPDATE groups SET settings = ${this.#json(settings)} WHERE id = ${id} RETURNING ${this.#sql.unsafe(GROUP_COLUMNS)}`);
    if (!row) throw notFound("group", id);
    return row;
  }

  async deleteGroup(id: string, options: { force?: boolean } = {}): Promise<{ agentsRemoved: number }> {
    return this.#write(undefined, () =>
      this.#sql.begin(async (tx) => {
        // FOR UPDATE makes a concurrent createAgent (whose foreign key check takes KEY SHARE
        // on this row) wait, so no agent slips in between the count and the delete.
        const [group] = await tx<{ name: string }[]>`SELECT name FROM groups WHERE id = ${id} FOR UPDATE`;
        if (!group) throw notFound("group", id);
        const [{ count }] = (await tx<{ count: number }[]>`SELECT count(*) AS count FROM agents WHERE group_id = ${id}`) as unknown as [{ count: number }];
        if (count > 0 && !options.force) {
          throw new GatewayError("CONFLICT", `group "${group.name}" still has ${count} agent(s); remove them first or force the delete`);
        }
        await tx`DELETE FROM groups WHERE id = ${id}`;
        return { agentsRemoved: count };
      }),
    ) as Promise<{ agentsRemoved: number }>;
  }

  // ---- agents --------------------------------------------------------------------

  async createAgent(input: { groupId: string; name: string }): Promise<AgentRecord> {
    const agent: AgentRecord = {
      id: this.#newId(), groupId: input.groupId, name: input.name, status: "awaiting_setup",
      publicKey: null, previousPublicKey: null, keyRotationStartedAt: null,
      createdAt: this.#now(), activatedAt: null, lastSeenAt: null, info: null,
    };
    try {
      await this.#write(`agent "${input.name}" already exists in this group`, () =>
        this.#sql`INSERT INTO agents (id, group_id, name, status, created_at)
          VALUES (${agent.id}, ${agent.groupId}, ${agent.name}, ${agent.status}, ${agent.createdAt})`);
    } catch (error) {
      if ((error as { code?: unknown }).code === FOREIGN_KEY_VIOLATION) throw notFound("group", input.groupId);
      throw error;
    }
    return agent;
  }

  async getAgent(id: string): Promise<AgentRecord | undefined> {
    const [row] = await this.#sql<AgentRecord[]>`SELECT ${this.#sql.unsafe(AGENT_COLUMNS)} FROM agents WHERE id = ${id}`;
    return row;
  }

  async getAgentByName(groupId: string, name: string): Promise<AgentRecord | undefined> {
    const [row] = await this.#sql<AgentRecord[]>`SELECT ${this.#sql.unsafe(AGENT_COLUMNS)} FROM agents WHERE group_id = ${groupId} AND name = ${name}`;
    return row;
  }

  async findAgentByPublicKey(publicKey: string): Promise<AgentRecord | undefined> {
    const [row] = await this.#sql<AgentRecord[]>`SELECT ${this.#sql.unsafe(AGENT_COLUMNS)} FROM agents
      WHERE public_key = ${publicKey} OR previous_public_key = ${publicKey} LIMIT 1`;
    return row;
  }

  async listAgents(groupId?: string): Promise<AgentRecord[]> {
    const columns = this.#sql.unsafe(AGENT_COLUMNS);
    // COLLATE "C": byte order, as SQLite sorts, whatever the database's locale.
    const rows = groupId === undefined
      ? await this.#sql<AgentRecord[]>`SELECT ${columns} FROM agents ORDER BY name COLLATE "C", id`
      : await this.#sql<AgentRecord[]>`SELECT ${columns} FROM agents WHERE group_id = ${groupId} ORDER BY name COLLATE "C"`;
    return [...rows];
  }

  async setAgentStatus(id: string, status: "enabled" | "disabled"): Promise<AgentRecord> {
    return this.#write(undefined, () =>
      this.#sql.begin(async (tx) => {
        const agent = await lockedAgent(tx, id);
        if (status === "enabled" && agent.publicKey === null) {
          throw new GatewayError("CONFLICT", `agent "${agent.name}" has not been activated yet; it is enabled when it activates`);
        }
        const [row] = await tx<AgentRecord[]>`UPDATE agents SET status = ${status} WHERE id = ${id} RETURNING ${tx.unsafe(AGENT_COLUMNS)}`;
        return row!;
      }),
    ) as Promise<AgentRecord>;
  }

  async recordAgentSeen(id: string, info?: AgentInfo): Promise<void> {
    const result = await this.#write(undefined, () =>
      info === undefined
        ? this.#sql`UPDATE agents SET last_seen_at = ${this.#now()} WHERE id = ${id}`
        : this.#sql`UPDATE agents SET last_seen_at = ${this.#now()}, info = ${this.#json(info)} WHERE id = ${id}`);
    if (result.count === 0) throw notFound("agent", id);
  }

  async deleteAgent(id: string): Promise<void> {
    const result = await this.#write(undefined, () => this.#sql`DELETE FROM agents WHERE id = ${id}`);
    if (result.count === 0) throw notFound("agent", id);
  }

  async beginKeyRotation(agentId: string, newPublicKey: string): Promise<AgentRecord> {
    return this.#write(undefined, () =>
      this.#sql.begin(async (tx) => {
        const agent = await lockedAgent(tx, agentId);
        if (agent.publicKey === null) throw new GatewayError("CONFLICT", `agent "${agent.name}" has no key to rotate; activate it first`);
        if (agent.publicKey === newPublicKey) return agent;
        // A rotation begun while another is pending keeps the oldest key the agent may still hold.
        const previous = agent.previousPublicKey ?? agent.publicKey;
        const [row] = await tx<AgentRecord[]>`UPDATE agents
          SET public_key = ${newPublicKey}, previous_public_key = ${previous}, key_rotation_started_at = ${this.#now()}
          WHERE id = ${agentId} RETURNING ${tx.unsafe(AGENT_COLUMNS)}`;
        return row!;
      }),
    ) as Promise<AgentRecord>;
  }

  async completeKeyRotation(agentId: string): Promise<AgentRecord> {
    const [row] = await this.#write(undefined, () =>
      this.#sql<AgentRecord[]>`UPDATE agents SET previous_public_key = NULL, key_rotation_started_at = NULL
        WHERE id = ${agentId} RETURNING ${this.#sql.unsafe(AGENT_COLUMNS)}`);
    if (!row) throw notFound("agent", agentId);
    return row;
  }

  // ---- activation codes ----------------------------------------------------------

  async addActivationCode(input: { codeHash: string; agentId: string; expiresAt: number }): Promise<ActivationCodeRecord> {
    const record: ActivationCodeRecord = { agentId: input.agentId, createdAt: this.#now(), expiresAt: input.expiresAt, usedAt: null };
    await this.#write(undefined, () =>
      this.#sql.begin(async (tx) => {
        await lockedAgent(tx, input.agentId, "KEY SHARE");
        await tx`DELETE FROM activation_codes WHERE agent_id = ${input.agentId} AND used_at IS NULL`;
        await tx`INSERT INTO activation_codes (code_hash, agent_id, created_at, expires_at)
          VALUES (${input.codeHash}, ${input.agentId}, ${record.createdAt}, ${record.expiresAt})`;
      }),
    );
    return record;
  }

  async redeemActivationCode(input: { codeHash: string; publicKey: string; info?: AgentInfo }): Promise<RedeemResult> {
    return this.#write(undefined, () =>
      this.#sql.begin(async (tx): Promise<RedeemResult> => {
        const now = this.#now();
        // The one-time guard: a second claimer blocks on the row, then finds used_at set.
        const [claimed] = await tx<{ agentId: string }[]>`UPDATE activation_codes SET used_at = ${now}
          WHERE code_hash = ${input.codeHash} AND used_at IS NULL AND expires_at > ${now} RETURNING agent_id`;
        if (!claimed) {
          const [code] = await tx<{ usedAt: number | null; expiresAt: number }[]>`SELECT used_at, expires_at FROM activation_codes
            WHERE code_hash = ${input.codeHash}`;
          if (!code) return { ok: false, reason: "unknown" };
          return code.usedAt !== null ? { ok: false, reason: "used" } : { ok: false, reason: "expired", expiresAt: code.expiresAt };
        }
        const [row] = await tx<AgentRecord[]>`UPDATE agents SET public_key = ${input.publicKey}, previous_public_key = NULL,
            key_rotation_started_at = NULL,
            status = CASE status WHEN 'awaiting_setup' THEN 'enabled' ELSE status END,
            activated_at = ${now}, info = coalesce(${this.#json(input.info)}, info)
          WHERE id = ${claimed.agentId} RETURNING ${tx.unsafe(AGENT_COLUMNS)}`;
        return { ok: true, agent: row! };
      }),
    ) as Promise<RedeemResult>;
  }

  // ---- API tokens ----------------------------------------------------------------

  async createApiToken(input: { name: string; secretHash: string; groups: string[] | null; admin: boolean }): Promise<ApiTokenRecord> {
    const token: ApiTokenRecord = {
      id: this.#newId(), name: input.name, groups: input.groups, admin: input.admin,
      createdAt: this.#now(), lastUsedAt: null, revokedAt: null,
    };
    await this.#write(`a token named "${input.name}" already exists`, () =>
      this.#sql`INSERT INTO api_tokens (id, name, secret_hash, groups, admin, created_at)
        VALUES (${token.id}, ${token.name}, ${input.secretHash}, ${this.#json(token.groups)}, ${token.admin}, ${token.createdAt})`);
    return token;
  }

  async findApiTokenByHash(secretHash: string): Promise<(ApiTokenRecord & { secretHash: string }) | undefined> {
    const [row] = await this.#sql<TokenRow[]>`SELECT ${this.#sql.unsafe(TOKEN_COLUMNS)} FROM api_tokens WHERE secret_hash = ${secretHash}`;
    return row ? { ...toToken(row), secretHash: row.secretHash } : undefined;
  }

  async getApiToken(id: string): Promise<ApiTokenRecord | undefined> {
    const [row] = await this.#sql<TokenRow[]>`SELECT ${this.#sql.unsafe(TOKEN_COLUMNS)} FROM api_tokens WHERE id = ${id}`;
    return row ? toToken(row) : undefined;
  }

  async listApiTokens(): Promise<ApiTokenRecord[]> {
    return (await this.#sql<TokenRow[]>`SELECT ${this.#sql.unsafe(TOKEN_COLUMNS)} FROM api_tokens ORDER BY created_at, id`).map(toToken);
  }

  async revokeApiToken(id: string): Promise<ApiTokenRecord> {
    const [row] = await this.#write(undefined, () =>
      this.#sql<TokenRow[]>`UPDATE api_tokens SET revoked_at = coalesce(revoked_at, ${this.#now()}) WHERE id = ${id}
        RETURNING ${this.#sql.unsafe(TOKEN_COLUMNS)}`);
    if (!row) throw notFound("token", id);
    return toToken(row);
  }

  /** Not a change: no bump here, and the schema's trigger ignores `last_used_at` alone. */
  async touchApiToken(id: string): Promise<void> {
    await this.#sql`UPDATE api_tokens SET last_used_at = ${this.#now()} WHERE id = ${id}`;
  }

  // ---- settings ------------------------------------------------------------------

  async getSetting(key: string): Promise<unknown> {
    const [row] = await this.#sql<{ value: unknown }[]>`SELECT value FROM settings WHERE key = ${key}`;
    return row?.value;
  }

  async setSetting(key: string, value: unknown): Promise<void> {
    await this.#write(undefined, () =>
      this.#sql`INSERT INTO settings (key, value) VALUES (${key}, ${this.#sql.json((value ?? null) as never)})
        ON CONFLICT (key) DO UPDATE SET value = excluded.value`);
  }

  async close(): Promise<void> {
    await Promise.all([this.#changes.close(), this.#sql.end({ timeout: 5 })]);
  }

  /** A jsonb parameter; `null` for SQL NULL. (A `::jsonb` cast of a string would be encoded twice.) */
  #json(value: unknown) {
    return value === undefined || value === null ? null : this.#sql.json(value as never);
  }

  /**
   * Runs a write, bumping the change counter before it starts and after it ends: a cache
   * read that overlaps the write, on either side of its commit, is then never kept. A
   * unique violation becomes ALREADY_EXISTS with `duplicateMessage`, when one is given. A
   * deadlock victim is run again: the lock orders above avoid the ones we know of (a code
   * issued during its redemption), but a forced group delete cascading through agents in the
   * middle of an activation can still meet one, and it rolled back whole.
   */
  async #write<T>(duplicateMessage: string | undefined, write: () => Promise<T>): Promise<T> {
    this.#changes.bump();
    try {
      for (let attempt = 1; ; attempt++) {
        try {
          return await write();
        } catch (error) {
          if ((error as { code?: unknown }).code !== DEADLOCK_DETECTED || attempt >= DEADLOCK_TRIES) throw error;
        }
      }
    } catch (error) {
      if (duplicateMessage && (error as { code?: unknown }).code === UNIQUE_VIOLATION) {
        throw new GatewayError("ALREADY_EXISTS", duplicateMessage, { cause: error });
      }
      throw error;
    } finally {
      this.#changes.bump();
    }
  }
}

/**
 * Reads an agent row under a lock: `NO KEY UPDATE` to change it (what a concurrent UPDATE of
 * it takes too, so they queue), `KEY SHARE` only to keep it in place while rows that point at
 * it are written. The weaker lock matters: an admin issuing a new code takes `KEY SHARE` and
 * then waits for the code row a redemption holds, while that redemption updates the agent;
 * with `FOR UPDATE` there the two deadlocked (test: "… neither deadlocks").
 */
async function lockedAgent(tx: TransactionSql<any>, id: string, lock: "NO KEY UPDATE" | "KEY SHARE" = "NO KEY UPDATE"): Promise<AgentRecord> {
  const [row] = await tx<AgentRecord[]>`SELECT ${tx.unsafe(AGENT_COLUMNS)} FROM agents WHERE id = ${id} FOR ${tx.unsafe(lock)}`;
  if (!row) throw notFound("agent", id);
  return row;
}

function notFound(kind: string, id: string): GatewayError {
  return new GatewayError("NOT_FOUND", `${kind} ${id} does not exist`);
}
