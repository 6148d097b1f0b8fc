/**
 * @module
 * The PostgreSQL schema as an ordered list of migrations, the twin of `sqlite-schema.ts`
 * (same tables, same names; times are `bigint` epoch milliseconds, JSON is `jsonb`).
 * `schema_version` holds the number of migrations applied. A store applies the missing
 * ones in one transaction that first takes a transaction-scoped advisory lock on a fixed
 * key, so gateway nodes starting at once migrate one after the other: the second finds
 * the work done. Append new migrations; never edit old ones.
 *
 * Triggers NOTIFY `outpost_changes` on every write, in the writer's transaction, so every
 * node's read cache hears of a change the moment it commits, whoever made it (another
 * node, the admin CLI, a hand-written UPDATE). A token's `last_used_at` alone does not
 * count: it moves on use, and caches do not hold it. The payload is the writer's
 * `application_name`, unique per store object, so a store can tell its own writes.
 */
import type { Sql } from "postgres";

/** The channel every write notifies; the stores LISTEN on it. */
export const CHANGES_CHANNEL = "outpost_changes";

/** Fixed advisory-lock key of the migrations ("outpost" in ASCII, as a bigint). */
const MIGRATION_LOCK_KEY = "31359416066159476";

const notifyOn = (table: string) =>
  `CREATE TRIGGER ${table}_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON ${table}
     FOR EACH STATEMENT EXECUTE FUNCTION outpost_notify_change();`;

export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE groups (
    id text PRIMARY KEY,
    name text NOT NULL UNIQUE,
    created_at bigint NOT NULL,
    settings jsonb NOT NULL
  );
  CREATE TABLE agents (
    id text PRIMARY KEY,
    group_id text NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
    name text NOT NULL,
    status text NOT NULL,
    public_key text,
    previous_public_key text,
    key_rotation_started_at bigint,
    created_at bigint NOT NULL,
    activated_at bigint,
    last_seen_at bigint,
    info jsonb,
    UNIQUE (group_id, name)
  );
  CREATE INDEX agents_public_key ON agents(public_key);
  CREATE INDEX agents_previous_public_key ON agents(previous_public_key);
  CREATE TABLE activation_codes (
    code_hash text PRIMARY KEY,
    agent_id text NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    created_at bigint NOT NULL,
    expires_at bigint NOT NULL,
    used_at bigint
  );
  CREATE INDEX activation_codes_agent ON activation_codes(agent_id);
  CREATE TABLE api_tokens (
    id text PRIMARY KEY,
    name text NOT NULL,
    secret_hash text NOT NULL UNIQUE,
    groups jsonb,
    admin boolean NOT NULL,
    created_at bigint NOT NULL,
    last_used_at bigint,
    revoked_at bigint
  );
  CREATE UNIQUE INDEX api_tokens_live_name ON api_tokens(name) WHERE revoked_at IS NULL;
  CREATE TABLE settings (
    key text PRIMARY KEY,
    value jsonb NOT NULL
  );

  CREATE FUNCTION outpost_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    -- The writer's application_name lets a store skip its own writes, which it counted already.
    PERFORM pg_notify('${CHANGES_CHANNEL}', current_setting('application_name'));
    RETURN NULL;
  END $$;
  ${notifyOn("groups")}
  ${notifyOn("agents")}
  ${notifyOn("activation_codes")}
  ${notifyOn("settings")}
  CREATE TRIGGER api_tokens_added AFTER INSERT OR DELETE OR TRUNCATE ON api_tokens
    FOR EACH STATEMENT EXECUTE FUNCTION outpost_notify_change();
  CREATE TRIGGER api_tokens_changed AFTER UPDATE ON api_tokens FOR EACH ROW
    WHEN ((to_jsonb(OLD) - 'last_used_at') IS DISTINCT FROM (to_jsonb(NEW) - 'last_used_at'))
    EXECUTE FUNCTION outpost_notify_change();
  `,
];

/** Applies the migrations the database lacks; returns the schema version afterwards. */
export async function migrate(sql: Sql<any>): Promise<number> {
  return sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY}::bigint)`;
    await tx`CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL)`;
    const [row] = await tx<{ version: number }[]>`SELECT version FROM schema_version`;
    const current = row?.version ?? 0;
    if (current > MIGRATIONS.length) {
      throw new Error(`the PostgreSQL store has schema version ${current}, newer than this binary knows (${MIGRATIONS.length}); upgrade outpost`);
    }
    for (const migration of MIGRATIONS.slice(current)) await tx.unsafe(migration).simple();
    if (row) await tx`UPDATE schema_version SET version = ${MIGRATIONS.length}`;
    else await tx`INSERT INTO schema_version (version) VALUES (${MIGRATIONS.length})`;
    return MIGRATIONS.length;
  }) as Promise<number>;
}
