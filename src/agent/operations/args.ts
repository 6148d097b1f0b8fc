/**
 * @module
 * Readers for an operation's `args`. The gateway shapes them, but the agent trusts nothing
 * that arrives over the wire: a wrong type is a BAD_REQUEST naming the argument.
 */
import type { JsonValue } from "../../connectors/connector.ts";
import { ConnectorError } from "../../connectors/errors.ts";

export type Args = Record<string, unknown>;

function bad(name: string, expected: string): never {
  throw new ConnectorError("BAD_REQUEST", `argument "${name}" must be ${expected}`);
}

export function requiredString(args: Args, name: string): string {
  const value = args[name];
  if (typeof value !== "string") bad(name, "a string");
  return value;
}

export function optionalString(args: Args, name: string): string | undefined {
  const value = args[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") bad(name, "a string");
  return value;
}

export function optionalBoolean(args: Args, name: string): boolean | undefined {
  const value = args[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "boolean") bad(name, "true or false");
  return value;
}

export function optionalCount(args: Args, name: string): number | undefined {
  const value = args[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0) bad(name, "a whole number ≥ 0");
  return value;
}

export function optionalArray(args: Args, name: string): JsonValue[] | undefined {
  const value = args[name];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) bad(name, "an array");
  return value as JsonValue[];
}

export function optionalObject(args: Args, name: string): Record<string, JsonValue> | undefined {
  const value = args[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "object" || Array.isArray(value)) bad(name, "an object");
  return value as Record<string, JsonValue>;
}

export function headerList(args: Args, name: string): [string, string][] {
  const value = args[name] ?? [];
  if (!Array.isArray(value) || !value.every((pair) => Array.isArray(pair) && pair.length === 2 && pair.every((p) => typeof p === "string"))) {
    bad(name, "a list of [name, value] pairs");
  }
  return value as [string, string][];
}
