/**
 * @module
 * How PostgreSQL values become JSON, and back. The rule for every SQL backend is the value
 * table in docs/connectors.md; in short, for PostgreSQL:
 *
 * | PostgreSQL | JSON |
 * |---|---|
 * | int2, int4, oid | number |
 * | float4, float8 | number, as the server prints it (`NaN`, `Infinity`, `-Infinity` as strings) |
 * | int8, numeric, money | string, exact (`money` as a plain decimal: `"-1234567.89"`) |
 * | bool | boolean |
 * | date | `"2024-01-31"`; BC as an ISO 8601 astronomical year (`"-0043-03-15"` is 44 BC); `"infinity"` / `"-infinity"` |
 * | timestamptz | `"2024-01-31T12:00:00.123456+00:00"` (sessions run in UTC; microseconds kept) |
 * | timestamp, time | ISO-8601 without a zone (the database stores none) |
 * | interval | ISO-8601 duration (`P1DT2H`) |
 * | bytea | base64 string |
 * | json, jsonb | the server's text of the document (a string; JSON `null` is `"null"`) |
 * | arrays | JSON arrays of the element's mapping |
 * | NULL | null |
 * | anything else (uuid, text, inet, bit, enums, ...) | the server's text form |
 *
 * Parameters: strings, numbers and booleans are sent as typed text and the server infers
 * their type; an array becomes a PostgreSQL array (`= any($1)`); an object is sent as
 * JSON text (cast with `$1::jsonb`).
 */
import type { JsonValue } from "../connector.ts";
import { doubleToJson } from "../sql-numbers.ts";

/** OIDs postgres.js would turn into JS `Date`s; we keep their text to keep microseconds and zones. */
const DATE_OIDS = [1082, 1083, 1114, 1184, 1266];
const TIMESTAMP_OIDS = new Set([1114, 1184, 1115, 1185]);

const MONEY = 790;
const JSON_OIDS = new Set([114, 3802]);

/**
 * postgres.js `types` option: date/time values stay text (see `toJson`); JSON documents
 * stay the server's text — `JSON.parse` would round numbers past 2^53 and decimals past 17
 * digits, fold duplicate keys, and make a JSON `null` look like SQL NULL. JSON parameters
 * that are already text are sent as is. Arrays are parsed by `parseArray`, because
 * postgres.js reads an unquoted `NULL` element as the text "NULL" (and `fetch_types` is off).
 */
export const POSTGRES_TYPE_OVERRIDES = {
  dateText: { to: 25, from: DATE_OIDS, parse: (text: string) => text },
  json: { to: 3802, from: [...JSON_OIDS], parse: (text: string) => text, serialize: (value: unknown) => (typeof value === "string" ? value : JSON.stringify(value)) },
};

/** Element types of the built-in array types. */
const ARRAY_ELEMENTS: Readonly<Record<number, number>> = {
  1000: 16, 1001: 17, 1005: 21, 1007: 23, 1009: 25, 1014: 1042, 1015: 1043, 1016: 20, 1021: 700, 1022: 701, 1028: 26,
  1115: 1114, 1182: 1082, 1183: 1083, 1185: 1184, 1187: 1186, 1231: 1700, 1270: 1266, 2951: 2950, 3807: 3802, 199: 114, 791: 790,
};
const NUMBER_OIDS = new Set([21, 23, 26, 700, 701]);

/**
 * Session settings that make the server's text forms predictable, whatever postgresql.conf
 * says: `extra_float_digits` 1 prints floats in their shortest exact form (0 would round
 * to 15 digits), `lc_monetary` C prints money as `-$1,234.56` (see `moneyText`), and
 * `bytea_output` hex is the form postgres.js decodes.
 */
export const SESSION_PARAMETERS: Record<string, string> = {
  TimeZone: "UTC",
  DateStyle: "ISO, YMD",
  IntervalStyle: "iso_8601",
  extra_float_digits: "1",
  lc_monetary: "C",
  bytea_output: "hex",
};

/** Names of built-in types, so most column lists need no catalogue lookup. */
export const BUILTIN_TYPE_NAMES: Readonly<Record<number, string>> = {
  16: "bool", 17: "bytea", 18: "char", 19: "name", 20: "int8", 21: "int2", 23: "int4", 25: "text", 26: "oid",
  114: "json", 142: "xml", 700: "float4", 701: "float8", 790: "money", 829: "macaddr", 869: "inet", 650: "cidr",
  1000: "_bool", 1001: "_bytea", 1005: "_int2", 1007: "_int4", 1009: "_text", 1014: "_bpchar", 1015: "_varchar",
  1016: "_int8", 1021: "_float4", 1022: "_float8", 1042: "bpchar", 1043: "varchar", 1082: "date", 1083: "time",
  1114: "timestamp", 1115: "_timestamp", 1182: "_date", 1184: "timestamptz", 1185: "_timestamptz", 1186: "interval",
  1231: "_numeric", 791: "_money", 1266: "timetz", 1560: "bit", 1562: "varbit", 1700: "numeric", 2249: "record", 2278: "void",
  2950: "uuid", 2951: "_uuid", 3802: "jsonb", 3807: "_jsonb", 199: "_json", 705: "unknown",
};

/** Converts one value postgres.js parsed (with our overrides) for a column of type `oid`. */
export function toJson(value: unknown, oid: number): JsonValue {
  if (value === null || value === undefined) return null;
  if (typeof value === "string" && oid in ARRAY_ELEMENTS) return parseArray(value, ARRAY_ELEMENTS[oid]!);
  if (typeof value === "string") return textToJson(value, oid);
  if (typeof value === "number") return doubleToJson(value);
  if (typeof value === "boolean") return value;
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString("base64");
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((item) => toJson(item, oid));
  if (typeof value === "object") return value as JsonValue;
  return String(value);
}

function textToJson(text: string, oid: number): JsonValue {
  if (TIMESTAMP_OIDS.has(oid) || oid === 1082) return isoDateTime(text);
  if (oid === MONEY) return moneyText(text);
  return text;
}

/**
 * `2024-01-31 12:00:00.5+00` → `2024-01-31T12:00:00.5+00:00`; a BC date or timestamp
 * (`0044-03-15 BC`) → ISO 8601's astronomical year (1 BC is `0000`, 44 BC `-0043`), so
 * dates of every era sort and parse alike. `infinity` and `-infinity` stay as they are.
 */
function isoDateTime(text: string): string {
  const match = /^(\d{4,})(-\d\d-\d\d)(?: (\d\d:\d\d:\d\d(?:\.\d+)?)(?:([+-]\d\d)(?::?(\d\d))?(:\d\d)?)?)?( BC)?$/.exec(text);
  if (!match) return text;
  const [, year, monthDay, time, zoneHours, zoneMinutes, zoneSeconds, bc] = match;
  const astronomical = bc ? 1 - Number(year) : Number(year);
  const yearText = (astronomical < 0 ? "-" : "") + String(Math.abs(astronomical)).padStart(4, "0");
  const zone = zoneHours ? `${zoneHours}:${zoneMinutes ?? "00"}${zoneSeconds ?? ""}` : "";
  return `${yearText}${monthDay}${time ? `T${time}${zone}` : ""}`;
}

/**
 * `-$1,234,567.89` → `-1234567.89`. The session's `lc_monetary` is C, whose form this is;
 * a caller who changed it for the session gets the server's text unchanged rather than a
 * wrong number.
 */
function moneyText(text: string): string {
  return /^-?\$[\d,]+(\.\d+)?$/.test(text) ? text.replace(/[$,]/g, "") : text;
}

/** The converter for one column: arrays of types we do not know (enums, domains) keep their elements as text. */
export function columnConverter(oid: number, typeName: string): (value: unknown) => JsonValue {
  if (!(oid in ARRAY_ELEMENTS) && typeName.startsWith("_")) {
    return (value) => (typeof value === "string" ? parseArray(value, 25) : toJson(value, oid));
  }
  return (value) => toJson(value, oid);
}

/** One array element's text as JSON, by the element's type. */
function elementToJson(text: string, oid: number): JsonValue {
  if (NUMBER_OIDS.has(oid)) return toJson(Number(text), oid);
  if (oid === 16) return text === "t";
  if (oid === 17) return Buffer.from(text.slice(2), "hex").toString("base64");
  return toJson(text, oid);
}

/** Parses an array literal (`{1,NULL,"a \\"b\\""}`, nested `{{1},{2}}`) into JSON. */
export function parseArray(text: string, elementOid: number): JsonValue {
  let i = 0;
  const parseLevel = (): JsonValue[] => {
    const items: JsonValue[] = [];
    i++; // the opening brace
    while (i < text.length) {
      const char = text[i];
      if (char === "}") return (i++, items);
      if (char === ",") { i++; continue; }
      if (char === "{") { items.push(parseLevel()); continue; }
      if (char === '"') {
        let value = "";
        for (i++; text[i] !== '"'; i++) value += text[i] === "\\" ? text[++i] : text[i];
        i++;
        items.push(elementToJson(value, elementOid));
        continue;
      }
      const end = text.slice(i).search(/[,}]/);
      const raw = text.slice(i, i + end);
      i += end;
      items.push(raw === "NULL" ? null : elementToJson(raw, elementOid));
    }
    return items;
  };
  // A literal with explicit bounds (`[0:1]={1,2}`) starts at its brace.
  i = text.indexOf("{");
  return i < 0 ? text : parseLevel();
}

/** Turns request parameters into what postgres.js sends: objects as JSON text, arrays as arrays. */
export function toParameter(value: JsonValue): unknown {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return arrayLiteral(value);
  return JSON.stringify(value);
}

/** `[1, null, "a\"b"]` → `{"1",NULL,"a\\"b"}`; the server casts each element to the array's type. */
function arrayLiteral(values: JsonValue[]): string {
  const items = values.map((item): string => {
    if (item === null) return "NULL";
    if (Array.isArray(item)) return arrayLiteral(item);
    const text = typeof item === "object" ? JSON.stringify(item) : String(item);
    return `"${text.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`;
  });
  return `{${items.join(",")}}`;
}
