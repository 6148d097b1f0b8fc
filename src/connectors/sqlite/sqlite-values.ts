/**
 * @module
 * Value mapping between JSON and SQLite. The database is opened with `safeIntegers`, so
 * every integer arrives as a bigint: it becomes a number when exact, else a decimal string
 * (JSON numbers lose digits past 2^53) — SQLite types each value, not the column, so the
 * value decides here where the column's type decides for the other backends. REAL values
 * are doubles in their shortest form; infinities (SQLite has no NaN) are the strings
 * `"Infinity"` / `"-Infinity"` as everywhere (docs/connectors.md, Values). Text, and so
 * JSON documents, comes as stored. Blobs become base64; NULL stays null.
 */
import type { JsonValue, Row } from "../connector.ts";
import { ConnectorError } from "../errors.ts";
import { doubleToJson } from "../sql-numbers.ts";

export type SqliteParam = string | number | bigint | boolean | null | Uint8Array;

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);

export function fromSqlite(value: unknown): JsonValue {
  if (value === null || value === undefined) return null;
  if (typeof value === "bigint") return value <= MAX_SAFE && value >= MIN_SAFE ? Number(value) : value.toString();
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("base64");
  if (typeof value === "number") return doubleToJson(value);
  if (typeof value === "string" || typeof value === "boolean") return value;
  return String(value);
}

export function toRow(raw: Record<string, unknown>): Row {
  const row: Row = {};
  for (const key in raw) row[key] = fromSqlite(raw[key]);
  return row;
}

/** JSON parameters as SQLite binds: objects and arrays are bound as their JSON text. */
export function toParams(params: JsonValue[] | undefined): SqliteParam[] {
  if (params === undefined) return [];
  if (!Array.isArray(params)) throw new ConnectorError("BAD_REQUEST", "params must be an array");
  return params.map((value) => {
    if (value === null || typeof value !== "object") {
      // Integers past 2^53 cannot come as JSON numbers; callers send them as strings and SQLite's affinity converts.
      return typeof value === "number" && !Number.isSafeInteger(value) && Number.isInteger(value) ? BigInt(value) : value;
    }
    return JSON.stringify(value);
  });
}
