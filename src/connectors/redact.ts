/**
 * @module
 * Keeps a request's parameter values and a profile's password out of the messages the SQL
 * servers send back, for every SQL connector.
 */
import type { JsonValue } from "./connector.ts";

/** Cuts quoted parameter values and the password out of a server message. */
export function redact(message: string, secrets: readonly (JsonValue | undefined)[] = []): string {
  let text = message;
  for (const secret of secrets.flat(4)) {
    if (secret === null || secret === undefined || typeof secret === "boolean") continue;
    const value = typeof secret === "object" ? JSON.stringify(secret) : String(secret);
    // Short values (`1`, `a`) would also erase ordinary words; the server quotes values, so match quoted.
    if (value.length >= 4) text = text.split(value).join("[redacted]");
    else text = text.split(`"${value}"`).join(`"[redacted]"`).split(`'${value}'`).join(`'[redacted]'`);
  }
  return text;
}
