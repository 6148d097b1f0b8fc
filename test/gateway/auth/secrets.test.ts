import { expect, test } from "bun:test";
import { createHash } from "node:crypto";
import {
  hashesEqual, hashSecret, looksLikeApiToken, newActivationCode, newApiToken, randomBase62,
} from "../../../src/gateway/auth/secrets.ts";
import { normalizePublicKey } from "../../../src/gateway/auth/activation-codes.ts";

test("API tokens are opt_ + 43 base62 characters, hashed with SHA-256", () => {
  const { secret, hash } = newApiToken();
  expect(secret).toMatch(/^opt_[0-9A-Za-z]{43}$/);
  expect(hash).toBe(createHash("sha256").update(secret).digest("hex"));
  expect(looksLikeApiToken(secret)).toBe(true);
  expect(newApiToken().secret).not.toBe(secret);
});

test("activation codes are opa_ + 32 base62 characters and are not API tokens", () => {
  const { secret, hash } = newActivationCode();
  expect(secret).toMatch(/^opa_[0-9A-Za-z]{32}$/);
  expect(hash).toBe(hashSecret(secret));
  expect(looksLikeApiToken(secret)).toBe(false);
});

test("base62 drops bytes at or above 248 instead of biasing with a modulo", () => {
  const bytes = [255, 248, 0, 61, 62, 247];
  const random = (n: number) => Uint8Array.from({ length: n }, (_, i) => bytes[i % bytes.length]!);
  // 255 and 248 are dropped; 0, 61, 62 (= 0 mod 62) and 247 (= 61 mod 62) are kept.
  expect(randomBase62(4, random)).toBe("0z0z");
});

test("hash comparison", () => {
  expect(hashesEqual(hashSecret("a"), hashSecret("a"))).toBe(true);
  expect(hashesEqual(hashSecret("a"), hashSecret("b"))).toBe(false);
  expect(hashesEqual("ab", "abc")).toBe(false);
});

test("public keys: base64 of 32 bytes, either alphabet, normalised to padded standard base64", () => {
  const key = Buffer.alloc(32, 0xfb);
  expect(normalizePublicKey(key.toString("base64"))).toBe(key.toString("base64"));
  expect(normalizePublicKey(key.toString("base64url"))).toBe(key.toString("base64"));
  expect(normalizePublicKey(Buffer.alloc(31).toString("base64"))).toBeUndefined();
  expect(normalizePublicKey(Buffer.alloc(33).toString("base64"))).toBeUndefined();
  expect(normalizePublicKey(42)).toBeUndefined();
});
