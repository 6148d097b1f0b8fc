/**
 * @module
 * Total JSON parsing and shape checks for protocol messages: every failure, whatever the
 * input, is a `ProtocolError` (`BAD_JSON` or `BAD_MESSAGE`) naming the offending field.
 */
import { ProtocolError } from "./errors.ts";

const utf8Strict = new TextDecoder("utf-8", { fatal: true });
const utf8 = new TextEncoder();

export type JsonObject = Record<string, unknown>;

/** Parses UTF-8 JSON that must be an object. */
export function parseJsonObject(bytes: Uint8Array, what: string): JsonObject {
  let value: unknown;
  try {
    value = JSON.parse(utf8Strict.decode(bytes));
  } catch (error) {
    throw new ProtocolError("BAD_JSON", `${what} is not valid UTF-8 JSON`, { cause: error });
  }
  return asObject(value, what);
}

export function encodeJson(value: unknown): Uint8Array {
  return utf8.encode(JSON.stringify(value));
}

export function asObject(value: unknown, what: string): JsonObject {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ProtocolError("BAD_MESSAGE", `${what} must be an object`);
  }
  return value as JsonObject;
}

export function stringField(object: JsonObject, key: string, what: string): string {
  const value = object[key];
  if (typeof value !== "string") throw new ProtocolError("BAD_MESSAGE", `${what}.${key} must be a string`);
  return value;
}

export function numberField(object: JsonObject, key: string, what: string): number {
  const value = object[key];
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new ProtocolError("BAD_MESSAGE", `${what}.${key} must be a finite number`);
  }
  return value;
}

/** A non-negative integer no larger than `max` (defaults to 2^53 − 1). */
export function integerField(object: JsonObject, key: string, what: string, max = Number.MAX_SAFE_INTEGER): number {
  const value = numberField(object, key, what);
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new ProtocolError("BAD_MESSAGE", `${what}.${key} must be an integer from 0 to ${max}`);
  }
  return value;
}

export function booleanField(object: JsonObject, key: string, what: string): boolean {
  const value = object[key];
  if (typeof value !== "boolean") throw new ProtocolError("BAD_MESSAGE", `${what}.${key} must be a boolean`);
  return value;
}

export function objectField(object: JsonObject, key: string, what: string): JsonObject {
  return asObject(object[key], `${what}.${key}`);
}

export function arrayField(object: JsonObject, key: string, what: string): unknown[] {
  const value = object[key];
  if (!Array.isArray(value)) throw new ProtocolError("BAD_MESSAGE", `${what}.${key} must be an array`);
  return value;
}

/**
 * Deepest nesting of arrays and objects a request may carry. JSON.parse copes with far
 * more, but every later step that walks the value (JSON.stringify into the open header,
 * the agent's argument checks, a driver binding parameters) recurses and overflows the
 * stack somewhere around ten thousand levels — far from where the mistake was made.
 */
export const MAX_JSON_DEPTH = 64;

/** True when JSON `text` nests arrays/objects deeper than `max`; one pass, strings skipped. */
export function nestsDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: the next character is escaped
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}
