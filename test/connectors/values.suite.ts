/**
 * @module
 * The shared shape of the value tests (values-*.test.ts): a case says how its JSON value
 * relates to the server's own text of the same value — `text`: it is that text; `number`:
 * it is a number equal to that text read as a number; else exactly `expected`.
 */
import type { JsonValue } from "../../src/connectors/connector.ts";

export type ValueRule = { text: true } | { number: true } | { expected: JsonValue };

/** The JSON value `rule` asks for, given the server's text of the value. */
export function wantedValue(rule: ValueRule, serverText: JsonValue): JsonValue {
  if ("text" in rule) return serverText;
  if ("number" in rule) return Number(serverText);
  return rule.expected;
}
