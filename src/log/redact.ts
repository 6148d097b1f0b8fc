/**
 * @module
 * Keeps secrets out of log lines. Any field whose name looks like a secret is replaced
 * whole, at any depth, before a line is formatted. This is a safety net: code should
 * still never pass secrets to a logger in the first place.
 */

const SECRET_NAME = /pass(word|phrase)?|secret|token|authorization|api[-_]?key|private[-_]?key|credential|cookie|encrypted|^params$|^parameters$/i;

export const REDACTED = "[redacted]";

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

export function redactFields(fields: Record<string, unknown>, depth = 0): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    out[key] = isSecretName(key) ? REDACTED : redactValue(value, depth + 1);
  }
  return out;
}

function redactValue(value: unknown, depth: number): unknown {
  if (depth > 6 || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((item) => redactValue(item, depth + 1));
  if (value instanceof Error) return value;
  return redactFields(value as Record<string, unknown>, depth);
}
