/**
 * @module
 * Row shapes of the SQLite tables and their mapping to the store's plain records.
 * JSON columns are parsed here so nothing past the store sees a string blob.
 */
import type { AgentInfo, AgentRecord, ApiTokenRecord, GroupRecord, StoredAgentStatus } from "./store.ts";

export interface GroupRow {
  id: string;
  name: string;
  created_at: number;
  settings: string;
}

export interface AgentRow {
  id: string;
  group_id: string;
  name: string;
  status: string;
  public_key: string | null;
  previous_public_key: string | null;
  key_rotation_started_at: number | null;
  created_at: number;
  activated_at: number | null;
  last_seen_at: number | null;
  info: string | null;
}

export interface TokenRow {
  id: string;
  name: string;
  secret_hash: string;
  groups: string | null;
  admin: number;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

export function toGroup(row: GroupRow): GroupRecord {
  return { id: row.id, name: row.name, createdAt: row.created_at, settings: JSON.parse(row.settings) };
}

export function toAgent(row: AgentRow): AgentRecord {
  return {
    id: row.id,
    groupId: row.group_id,
    name: row.name,
    status: row.status as StoredAgentStatus,
    publicKey: row.public_key,
    previousPublicKey: row.previous_public_key,
    keyRotationStartedAt: row.key_rotation_started_at,
    createdAt: row.created_at,
    activatedAt: row.activated_at,
    lastSeenAt: row.last_seen_at,
    info: row.info === null ? null : (JSON.parse(row.info) as AgentInfo),
  };
}

export function toToken(row: TokenRow): ApiTokenRecord {
  return {
    id: row.id,
    name: row.name,
    groups: row.groups === null ? null : (JSON.parse(row.groups) as string[]),
    admin: row.admin === 1,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}
