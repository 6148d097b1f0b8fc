/**
 * @module
 * The SQLite schema as an ordered list of migrations. `schema_version` holds the number
 * of migrations applied; a store opening the file applies the missing ones inside one
 * `BEGIN IMMEDIATE` transaction, so a CLI command and a running gateway that open the
 * same file at once cannot both migrate. Append new migrations; never edit old ones.
 * The SQL stays portable (no AUTOINCREMENT, no rowid tricks) to ease the PostgreSQL port.
 */
import type { Database } from "bun:sqlite";

export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE groups (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    settings TEXT NOT NULL
  );
  CREATE TABLE agents (
    id TEXT PRIMARY KEY,
    group_id TEXT NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    status TEXT NOT NULL,
    public_key TEXT,
    previous_public_key TEXT,
    key_rotation_started_at INTEGER,
    created_at INTEGER NOT NULL,
    activated_at INTEGER,
    last_seen_at INTEGER,
    info TEXT,
    UNIQUE (group_id, name)
  );
  CREATE INDEX agents_public_key ON agents(public_key);
  CREATE INDEX agents_previous_public_key ON agents(previous_public_key);
  CREATE TABLE activation_codes (
    code_hash TEXT PRIMARY KEY,
    agent_id TEXT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER
  );
  CREATE INDEX activation_codes_agent ON activation_codes(agent_id);
  CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    secret_hash TEXT NOT NULL UNIQUE,
    groups TEXT,
    admin INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    last_used_at INTEGER,
    revoked_at INTEGER
  );
  CREATE UNIQUE INDEX api_tokens_live_name ON api_tokens(name) WHERE revoked_at IS NULL;
  CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );
  `,
];

/** Applies the migrations this file lacks; returns the schema version afterwards. */
export function migrate(db: Database): number {
  db.run("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
  const apply = db.transaction(() => {
    const row = db.query<{ version: number }, []>("SELECT version FROM schema_version").get();
    const current = row?.version ?? 0;
    if (current > MIGRATIONS.length) {
      throw new Error(`gateway.db has schema version ${current}, newer than this binary knows (${MIGRATIONS.length}); upgrade outpost`);
    }
    for (const sql of MIGRATIONS.slice(current)) db.run(sql);
    if (row) db.run("UPDATE schema_version SET version = ?", [MIGRATIONS.length]);
    else db.run("INSERT INTO schema_version (version) VALUES (?)", [MIGRATIONS.length]);
    return MIGRATIONS.length;
  });
  return apply.immediate();
}
