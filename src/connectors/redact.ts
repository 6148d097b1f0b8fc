/**
 * @module
 * Keeps a request's parameter values and a profile's password out of the messages the SQL
 * servers send back, for every SQL connector.
 */
import type { JsonValue } from "./connector.ts";

/**
 * A prefix this long of a secret is cut wherever it appears: servers shorten long values they
 * echo (MariaDB keeps 64 characters and adds `...`), so the whole value never matches.
 */
const LONG_PREFIX = 16;

/** Cuts parameter values and the password, whole or shortened, out of a server message. */
export function redact(message: string, secrets: readonly (JsonValue | undefined)[] = []): string {
  let text = message;
  for (const secret of secrets.flat(4)) {
    if (secret === null || secret === undefined || typeof secret === "boolean") continue;
    const value = typeof secret === "object" ? JSON.stringify(secret) : String(secret);
    // Short values (`1`, `a`) would also erase ordinary words; the server quotes values, so match quoted.
    if (value.length >= 4) text = cutEchoes(text, value);
    else text = text.split(`"${value}"`).join(`"[redacted]"`).split(`'${value}'`).join(`'[redacted]'`);
  }
  return text;
}

/** Cuts `value`, a prefix of it of `LONG_PREFIX` characters or more, or any prefix of 4 or more followed by `...`. */
function cutEchoes(text: string, value: string): string {
  const seed = value.slice(0, 4);
  let out = "";
  let from = 0;
  for (let at = text.indexOf(seed); at >= 0; at = text.indexOf(seed, at + 1)) {
    if (at < from) continue;
    let length = seed.length;
    while (length < value.length && text[at + length] === value[length]) length++;
    if (length === value.length || length >= LONG_PREFIX || text.startsWith("...", at + length)) {
      out += `${text.slice(from, at)}[redacted]`;
      from = at + length;
    }
  }
  return out + text.slice(from);
}
