/**
 * @module
 * How MySQL/MariaDB values become JSON. The pool asks mysql2 for big numbers, decimals,
 * dates and JSON documents as strings, and sessions run with `time_zone = '+00:00'`. The
 * rule for every SQL backend is the value table in docs/connectors.md; for MySQL/MariaDB:
 *
 * | MySQL / MariaDB | JSON |
 * |---|---|
 * | tinyint, smallint, mediumint, int (signed or unsigned), year | number |
 * | double | number, as the server prints it |
 * | float | number: the float32's shortest form (`3.14159`), not the widened double |
 * | bigint, decimal | string (exact) |
 * | bit(1) | boolean; wider bit → the bits as `"0"`/`"1"` text, as PostgreSQL prints `bit(n)` |
 * | BOOLEAN (= tinyint(1)) | number `0`/`1`: the server cannot tell it from a small integer |
 * | date | `"2024-01-31"` |
 * | timestamp | `"2024-01-31T12:00:00+00:00"` (UTC session) |
 * | datetime, time | ISO-8601 without a zone (the column stores none) |
 * | binary, varbinary, blob | base64 string |
 * | json | the document's text, as stored (MySQL) or written (MariaDB) |
 * | NULL | null |
 * | char, varchar, text, enum, set | string |
 */
import type { JsonValue } from "../connector.ts";
import { doubleToJson, float32ToJson } from "../sql-numbers.ts";

/** The parts of a mysql2 column definition we read. */
export interface MysqlField {
  name: string;
  columnType: number;
  characterSet: number;
  columnLength: number;
  /** Fraction digits of time types (0–6; 31 when the server does not fix them). */
  decimals?: number;
  /** Column flags; ENUM and SET columns travel as strings and are told apart only here. */
  flags?: number;
  /** MariaDB's extended metadata: `json` for JSON columns (sent as LONGTEXT). */
  extendedFormat?: string;
  /** MariaDB's extended metadata: the real type of `uuid`, `inet4`, `inet6` columns. */
  extendedTypeName?: string;
}

const ENUM_FLAG = 256;
const SET_FLAG = 2048;
const FLOAT = 4;
const BIT = 16;
const TIME = 11;

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
  if (field.extendedFormat === "json") return "json";
  if (field.extendedTypeName) return field.extendedTypeName.toLowerCase();
  if ((field.flags ?? 0) & ENUM_FLAG) return "enum";
  if ((field.flags ?? 0) & SET_FLAG) return "set";
  const binary = field.characterSet === BINARY_CHARSET;
  if (field.columnType >= 249 && field.columnType <= 252) return binary ? TYPE_NAMES[field.columnType]! : TEXT_OF_BLOB[field.columnType]!;
  if (binary && (field.columnType === 253 || field.columnType === 254)) return TEXT_OF_BLOB[field.columnType]!;
  return TYPE_NAMES[field.columnType] ?? `type:${field.columnType}`;
}

/** Converts one value mysql2 returned for `field`. */
export function mysqlToJson(value: unknown, field: MysqlField): JsonValue {
  if (value === null || value === undefined) return null;
  if (field.columnType === BIT && value instanceof Uint8Array) return field.columnLength === 1 ? value[0] === 1 : bitText(value, field.columnLength);
  if (value instanceof Uint8Array) return Buffer.from(value).toString("base64");
  if (typeof value === "string" && field.columnType === 7) return isoDateTime(value, "+00:00");
  if (typeof value === "string" && field.columnType === 12) return isoDateTime(value, "");
  if (typeof value === "string" && field.columnType === TIME) return timeText(value, field.decimals ?? 0);
  if (typeof value === "bigint" || field.columnType === 8) return String(value);
  if (typeof value === "number") return field.columnType === FLOAT ? float32ToJson(value) : doubleToJson(value);
  if (value instanceof Date) return value.toISOString();
  return value as JsonValue;
}

/** `bit(5)` b'00101' → `"00101"`: the value is big-endian, right-aligned in its bytes. */
function bitText(bytes: Uint8Array, bits: number): string {
  let text = "";
  for (const byte of bytes) text += byte.toString(2).padStart(8, "0");
  return text.slice(-bits);
}

/** mysql2 cuts a TIME's trailing zero fraction digits (`12:00:00.5` for `12:00:00.500000`); the server prints the column's. */
function timeText(text: string, decimals: number): string {
  if (decimals < 1 || decimals > 6) return text;
  const [whole, fraction = ""] = text.split(".");
  return `${whole}.${fraction.padEnd(decimals, "0")}`;
}

function isoDateTime(text: string, zone: string): string {
  return /^\d{4}-\d\d-\d\d \d/.test(text) ? `${text.replace(" ", "T")}${zone}` : text;
}

/** Parameters go as they are, except objects and arrays, which are sent as JSON text. */
export function toMysqlParameter(value: JsonValue): unknown {
  return value !== null && typeof value === "object" ? JSON.stringify(value) : value;
}
