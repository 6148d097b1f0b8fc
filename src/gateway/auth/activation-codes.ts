/**
 * @module
 * Issuing one-time activation codes. The code is returned once and only its hash is
 * stored; a new code for the same agent replaces any unused earlier one.
 */
import type { GatewayStore } from "../store/store.ts";
import { newActivationCode, type RandomBytes } from "./secrets.ts";

/** How long a code stays valid. */
export const ACTIVATION_CODE_TTL_MS = 60 * 60 * 1000;

export interface IssueCodeOptions {
  /** Defaults to `Date.now`. */
  now?: () => number;
  /** Defaults to {@link ACTIVATION_CODE_TTL_MS} (one hour). */
  ttlMs?: number;
  /** Defaults to the OS CSPRNG. */
  random?: RandomBytes;
}

export interface IssuedCode {
  /** `opa_…`; show it once, never log it. */
  code: string;
  expiresAt: number;
}

export async function issueActivationCode(store: GatewayStore, agentId: string, options: IssueCodeOptions = {}): Promise<IssuedCode> {
  const { secret, hash } = newActivationCode(options.random);
  const expiresAt = (options.now ?? Date.now)() + (options.ttlMs ?? ACTIVATION_CODE_TTL_MS);
  await store.addActivationCode({ codeHash: hash, agentId, expiresAt });
  return { code: secret, expiresAt };
}

/**
 * The Ed25519 public key in `value` as padded standard base64, or `undefined` when
 * `value` is not base64 (standard or URL alphabet, padded or not) of exactly 32 bytes.
 */
export function normalizePublicKey(value: unknown): string | undefined {
  if (typeof value !== "string" || !/^[A-Za-z0-9+/_-]{43}=?$/.test(value)) return undefined;
  const bytes = Buffer.from(value.replace(/-/g, "+").replace(/_/g, "/"), "base64");
  return bytes.length === 32 ? bytes.toString("base64") : undefined;
}
