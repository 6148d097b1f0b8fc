/**
 * @module
 * The release key, at release time only. The secret key is base64 of libsodium's 64-byte
 * Ed25519 secret key (seed || public key), read from `--key FILE` or `OUTPOST_RELEASE_KEY`;
 * it is never in the repository. Signatures are standard Ed25519, so OpenSSL verifies them
 * against the PEM form of the public key (what install.sh does).
 */
import { readFileSync } from "node:fs";
import { generateIdentity, sign } from "../src/crypto/identity.ts";
import { writeFileAtomic } from "../src/crypto/atomic-file.ts";

/** SubjectPublicKeyInfo DER prefix for an Ed25519 key (RFC 8410); the 32 key bytes follow. */
const ED25519_SPKI_PREFIX = Buffer.from("302a300506032b6570032100", "hex");

export interface ReleaseKey {
  /** Base64 of the 64-byte secret key. */
  secretKey: string;
  /** Base64 of the 32-byte public key. */
  publicKey: string;
}

/** Makes a key, writes its secret to `path` (mode 0600, refusing to overwrite), returns it. */
export async function generateReleaseKey(path: string): Promise<ReleaseKey> {
  const pair = await generateIdentity();
  writeFileAtomic(path, pair.secretKey + "\n", { mode: 0o600, exclusive: true });
  return pair;
}

/** The key from `file` when given, else `OUTPOST_RELEASE_KEY`; throws a message naming where it looked. */
export function loadReleaseKey(file: string | undefined, env: Record<string, string | undefined> = process.env): ReleaseKey {
  const text = file ? readFileSync(file, "utf8") : env.OUTPOST_RELEASE_KEY;
  if (!text) throw new Error("no release key: pass --key FILE or set OUTPOST_RELEASE_KEY (base64)");
  const bytes = Buffer.from(text.trim(), "base64");
  if (bytes.length !== 64) throw new Error(`the release key from ${file ?? "OUTPOST_RELEASE_KEY"} is not base64 of a 64-byte Ed25519 secret key`);
  return { secretKey: bytes.toString("base64"), publicKey: bytes.subarray(32).toString("base64") };
}

/** Detached signature (64 bytes). */
export async function signBytes(key: ReleaseKey, bytes: Uint8Array): Promise<Uint8Array> {
  return sign(key.secretKey, bytes);
}

/** The public key as a PEM `PUBLIC KEY` block, for openssl. */
export function publicKeyPem(publicKeyB64: string): string {
  const der = Buffer.concat([ED25519_SPKI_PREFIX, Buffer.from(publicKeyB64, "base64")]);
  return `-----BEGIN PUBLIC KEY-----\n${der.toString("base64")}\n-----END PUBLIC KEY-----\n`;
}
