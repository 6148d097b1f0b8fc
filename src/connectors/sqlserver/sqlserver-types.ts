/**
 * @module
 * How SQL Server values (as tedious decodes them, `useUTC: true`) become JSON, and JSON
 * parameters become typed tedious parameters. The mapping (also in docs/connectors.md):
 *
 * | SQL Server | JSON |
 * |---|---|
 * | tinyint, smallint, int, float | number |
 * | real | number: the float32's shortest form (`3.14159`), not the widened double |
 * | bigint | string (exact) |
 * | decimal, numeric, money, smallmoney | string with the column's scale; exact up to 15 significant digits (tedious decodes through a double) |
 * | bit | boolean |
 * | datetime2, datetime, smalldatetime | `"2024-01-31T12:00:00.1234567Z"` — no zone is stored; the `Z` says it is read as UTC |
 * | datetimeoffset | the same instant in UTC (`Z`); the original offset is not kept |
 * | date / time | `"2024-01-31"` / `"12:00:00.1234567"` |
 * | binary, varbinary, image | base64 string |
 * | char, varchar, nchar, nvarchar, text, ntext, xml | string |
 * | uniqueidentifier | string |
 * | NULL | null |
 */
import type { JsonValue } from "../connector.ts";
import { doubleToJson, float32ToJson } from "../sql-numbers.ts";

/** The parts of tedious's column metadata we read. */
export interface SqlServerColumn {
  colName: string;
  type: { name: string };
  dataLength?: number;
  scale?: number;
}

const BY_LENGTH: Record<string, Record<number, string>> = {
  IntN: { 1: "tinyint", 2: "smallint", 4: "int", 8: "bigint" },
  FloatN: { 4: "real", 8: "float" },
  MoneyN: { 4: "smallmoney", 8: "money" },
  DateTimeN: { 4: "smalldatetime", 8: "datetime" },
};
const NAMES: Record<string, string> = { BitN: "bit", DecimalN: "decimal", NumericN: "numeric", Variant: "sql_variant" };
const EXACT = new Set(["decimal", "numeric", "money", "smallmoney"]);

/** The column's SQL Server type name, lower case (`int`, `nvarchar`, `datetime2`). */
export function sqlServerTypeName(column: SqlServerColumn): string {
  const name = column.type.name;
  return BY_LENGTH[name]?.[column.dataLength ?? 0] ?? NAMES[name] ?? name.toLowerCase();
}

/** Converts one value tedious decoded for `column`. */
export function sqlServerToJson(value: unknown, column: SqlServerColumn): JsonValue {
  if (value === null || value === undefined) return null;
  const type = sqlServerTypeName(column);
  if (typeof value === "number") {
    if (EXACT.has(type)) return value.toFixed(type.endsWith("money") ? 4 : column.scale ?? 0);
    return type === "real" ? float32ToJson(value) : doubleToJson(value);
  }
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString("base64");
  if (value instanceof Date) return dateText(value, type, column.scale ?? 7);
  if (typeof value === "string" || typeof value === "boolean") return value;
  return JSON.parse(JSON.stringify(value)) as JsonValue;
}

function dateText(date: Date, type: string, scale: number): string {
  const iso = date.toISOString(); // 2024-01-31T12:00:00.123Z
  if (type === "date") return iso.slice(0, 10);
  if (type === "datetime" || type === "smalldatetime") return iso;
  // datetime2, datetimeoffset and time carry 100 ns units beyond the Date's milliseconds.
  const extra = Math.round(((date as Date & { nanosecondsDelta?: number }).nanosecondsDelta ?? 0) * 1e7);
  const units = String(date.getUTCMilliseconds() * 10_000 + extra).padStart(7, "0").slice(0, Math.min(scale, 7));
  const seconds = iso.slice(0, 19) + (units ? `.${units}` : "");
  return type === "time" ? seconds.slice(11) : `${seconds}Z`;
}

/** tedious type names for a JSON parameter; the caller resolves them against `TYPES`. */
export type ParameterType = "NVarChar" | "Int" | "BigInt" | "Float" | "Bit";

/** null → NVarChar NULL, boolean → bit, integers → int or bigint, other numbers → float, objects → JSON text. */
export function toSqlServerParameter(value: JsonValue): { type: ParameterType; value: unknown } {
  if (value === null) return { type: "NVarChar", value: null };
  if (typeof value === "boolean") return { type: "Bit", value };
  if (typeof value === "number") {
    if (Number.isInteger(value) && Math.abs(value) <= 2_147_483_647) return { type: "Int", value };
    if (Number.isSafeInteger(value)) return { type: "BigInt", value };
    return { type: "Float", value };
  }
  if (typeof value === "string") return { type: "NVarChar", value };
  return { type: "NVarChar", value: JSON.stringify(value) };
}
