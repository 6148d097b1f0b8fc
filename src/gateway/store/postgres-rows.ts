/**
 * @module
 * How rows of the PostgreSQL tables become the store's records. The client maps column
 * names to camelCase, `bigint` to numbers and `jsonb` to values, so a group or agent row
 * is its record already; a token row drops its hash unless asked for.
 */
import type { ApiTokenRecord } from "./store.ts";

/** postgres.js type override: `bigint` (epoch milliseconds, counts) as a JS number. */
export const INT8_AS_NUMBER = {
  to: 20,
  from: [20],
  serialize: (value: number) => String(value),
  parse: (value: string) => Number(value),
};

export type TokenRow = ApiTokenRecord & { secretHash: string };

export function toToken(row: TokenRow): ApiTokenRecord {
  const { secretHash: _hash, ...token } = row;
  return token;
}

/** Every column of a table, named so the camelCase transform yields the record's fields. */
export const GROUP_COLUMNS = "id, name, created_at, settings";
export const AGENT_COLUMNS =
  "id, group_id, name, status, public_key, previous_public_key, key_rotation_started_at, created_at, activated_at, last_seen_at, info";
export const TOKEN_COLUMNS = "id, name, secret_hash, groups, admin, created_at, last_used_at, revoked_at";
