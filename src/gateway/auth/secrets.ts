/**
 * @module
 * The gateway's bearer secrets: API tokens (`opt_…`) and one-time activation codes
 * (`opa_…`). Both are base62 so a double-click selects the whole value and no shell or
 * yargs reads a `-` in them as an option. Only their SHA-256 is ever stored; the secret
 * is shown once, when it is made.
 */
import { createHash, timingSafeEqual } from "node:crypto";

export const API_TOKEN_PREFIX = "opt_";
export const ACTIVATION_CODE_PREFIX = "opa_";
/** 43 base62 characters ≈ 256 bits. */
const TOKEN_CHARS = 43;
/** 32 base62 characters ≈ 190 bits: plenty for a code that lives one hour. */
const CODE_CHARS = 32;

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** Fills a buffer with random bytes. Injected by tests; defaults to the OS CSPRNG. */
export type RandomBytes = (length: number) => Uint8Array;

export const cryptoRandomBytes: RandomBytes = (length) => crypto.getRandomValues(new Uint8Array(length));

/** Unbiased base62: bytes ≥ 248 (62 × 4) are dropped instead of folded with a modulo. */
export function randomBase62(length: number, random: RandomBytes = cryptoRandomBytes): string {
  let out = "";
  while (out.length < length) {
    for (const byte of random(length * 2)) {
      if (byte < 248 && out.length < length) out += BASE62[byte % 62];
    }
  }
  return out;
}

/** Hex SHA-256 of a secret: what the store keeps and looks up by. */
export function hashSecret(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}

/** Compares two hex hashes without a timing side channel. */
export function hashesEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, "utf8");
  const right = Buffer.from(b, "utf8");
  return left.length === right.length && timingSafeEqual(left, right);
}

export interface NewSecret {
  /** Shown to the user once; never stored or logged. */
  secret: string;
  hash: string;
}

export function newApiToken(random?: RandomBytes): NewSecret {
  const secret = API_TOKEN_PREFIX + randomBase62(TOKEN_CHARS, random);
  return { secret, hash: hashSecret(secret) };
}

export function newActivationCode(random?: RandomBytes): NewSecret {
  const secret = ACTIVATION_CODE_PREFIX + randomBase62(CODE_CHARS, random);
  return { secret, hash: hashSecret(secret) };
}

/** Whether a string has the shape of an API token (cheap check before any lookup). */
export function looksLikeApiToken(value: string): boolean {
  return value.length === API_TOKEN_PREFIX.length + TOKEN_CHARS && value.startsWith(API_TOKEN_PREFIX) && /^[0-9A-Za-z]+$/.test(value.slice(4));
}
