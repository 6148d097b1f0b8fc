/**
 * @module
 * How MySQL/MariaDB values become JSON. The pool asks mysql2 for big numbers, decimals
 * and dates as strings, and sessions run with `time_zone = '+00:00'`. The mapping (also in
 * docs/connectors.md):
 *
 * | MySQL / MariaDB | JSON |
 * |---|---|
 * | tinyint, smallint, mediumint, int, year, float, double | number |
 * | bigint, decimal | string (exact) |
 * | bit(1) | boolean; wider bit → base64 |
 * | BOOLEAN (= tinyint(1)) | number `0`/`1`: the server cannot tell it from a small integer |
 * | date | `"2024-01-31"` |
 * | timestamp | `"2024-01-31T12:00:00+00:00"` (UTC session) |
 * | datetime, time | ISO-8601 without a zone (the column stores none) |
 * | binary, varbinary, blob | base64 string |
 * | json (MySQL) | the JSON value; MariaDB's JSON is LONGTEXT and arrives as text |
 * | NULL | null |
 * | char, varchar, text, enum, set, decimal | string |
 */
import type { JsonValue } from "../connector.ts";

/** The parts of a mysql2 column definition we read. */
export interface MysqlField {
  name: string;
  columnType: number;
  characterSet: number;
  columnLength: number;
}

const BINARY_CHARSET = 63;

const TYPE_NAMES: Readonly<Record<number, string>> = {
  0: "decimal", 1: "tinyint", 2: "smallint", 3: "int", 4: "float", 5: "double", 6: "null", 7: "timestamp", 8: "bigint",
  9: "mediumint", 10: "date", 11: "time", 12: "datetime", 13: "year", 14: "date", 15: "varchar", 16: "bit", 245: "json",
  246: "decimal", 247: "enum", 248: "set", 249: "tinyblob", 250: "mediumblob", 251: "longblob", 252: "blob", 253: "varchar",
  254: "char", 255: "geometry",
};
const TEXT_OF_BLOB: Readonly<Record<number, string>> = { 249: "tinytext", 250: "mediumtext", 251: "longtext", 252: "text", 253: "varbinary", 254: "binary" };

/** The column's type name, lower case; binary strings are told apart from text by their character set. */
export function mysqlTypeName(field: MysqlField): string {
  const binary = field.characterSet === BINARY_CHARSET;
  if (field.columnType >= 249 && field.columnType <= 252) return binary ? TYPE_NAMES[field.columnType]! : TEXT_OF_BLOB[field.columnType]!;
  if (binary && (field.columnType === 253 || field.columnType === 254)) return TEXT_OF_BLOB[field.columnType]!;
  return TYPE_NAMES[field.columnType] ?? `type:${field.columnType}`;
}

/** Converts one value mysql2 returned for `field`. */
export function mysqlToJson(value: unknown, field: MysqlField): JsonValue {
  if (value === null || value === undefined) return null;
  if (field.columnType === 16 && value instanceof Uint8Array) return field.columnLength === 1 ? value[0] === 1 : Buffer.from(value).toString("base64");
  if (value instanceof Uint8Array) return Buffer.from(value).toString("base64");
  if (typeof value === "string" && field.columnType === 7) return isoDateTime(value, "+00:00");
  if (typeof value === "string" && field.columnType === 12) return isoDateTime(value, "");
  if (typeof value === "bigint" || field.columnType === 8) return String(value);
  if (typeof value === "number") return Number.isFinite(value) ? value : String(value);
  if (value instanceof Date) return value.toISOString();
  return value as JsonValue;
}

function isoDateTime(text: string, zone: string): string {
  return /^\d{4}-\d\d-\d\d \d/.test(text) ? `${text.replace(" ", "T")}${zone}` : text;
}

/** Parameters go as they are, except objects and arrays, which are sent as JSON text. */
export function toMysqlParameter(value: JsonValue): unknown {
  return value !== null && typeof value === "object" ? JSON.stringify(value) : value;
}
