/**
 * @module
 * One hash per profile so the gateway can tell when agents of a group serve different
 * settings (drift). The hash covers the RAW YAML value — `{encrypted: 'ov1:...'}` stays
 * ciphertext and `${env:NAME}` stays a reference — so it reveals no secret, and agents
 * that share one config.yml produce the same hashes.
 */
import { createHash } from "node:crypto";
import type { Document } from "yaml";
import { PROFILE_KINDS } from "./types.ts";

/** Per profile name: hex sha256 of `{kind, name, value}` in canonical JSON (sorted keys). */
export function profileHashes(doc: Document): Record<string, string> {
  const raw = (doc.toJS() ?? {}) as Record<string, unknown>;
  const hashes: Record<string, string> = {};
  for (const kind of PROFILE_KINDS) {
    const profiles = raw[kind];
    if (!profiles || typeof profiles !== "object") continue;
    for (const [name, value] of Object.entries(profiles)) {
      hashes[name] = createHash("sha256").update(canonicalJson({ kind, name, value })).digest("hex");
    }
  }
  return hashes;
}

/** JSON with object keys sorted at every depth, so key order in the file does not matter. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
}
