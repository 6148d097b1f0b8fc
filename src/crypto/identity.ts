/**
 * @module
 * Ed25519 identities for agent activation. An agent keeps its secret key in an identity
 * file (JSON, mode 0600) and signs the gateway's challenge with it; the gateway stores
 * only the public key. Signatures are standard Ed25519 (OpenSSL verifies them). Signing and
 * verifying use node:crypto (native, already loaded for TLS), so an agent that connects
 * never loads libsodium's WASM; key pairs still come from libsodium, in its 64-byte form.
 */
import { createPrivateKey, createPublicKey, sign as edSign, verify as edVerify } from "node:crypto";
import { readFileSync } from "node:fs";
import { writeFileAtomic } from "./atomic-file.ts";
import { CryptoError } from "./errors.ts";
import { sodium } from "./sodium.ts";

export interface KeyPair {
  /** Base64 of the 32-byte public key. */
  publicKey: string;
  /** Base64 of libsodium's 64-byte secret key (seed || public key). */
  secretKey: string;
}

/** What `outpost activate` writes. */
export interface IdentityFile extends KeyPair {
  agentId: string;
  /** The gateway URL this identity was activated with. */
  gateway: string;
  /** ISO 8601. */
  createdAt: string;
}

/** A fresh random key pair. */
export async function generateIdentity(): Promise<KeyPair> {
  const na = await sodium();
  const pair = na.crypto_sign_keypair();
  return { publicKey: b64(pair.publicKey), secretKey: b64(pair.privateKey) };
}

/** Detached 64-byte Ed25519 signature of `bytes`. */
export async function sign(secretKeyB64: string, bytes: Uint8Array): Promise<Uint8Array> {
  const secret = decode(secretKeyB64, 64, "secret key");
  // libsodium's secret key is seed || public key: JWK carries both halves the same way.
  const key = createPrivateKey({ key: { kty: "OKP", crv: "Ed25519", d: b64url(secret.subarray(0, 32)), x: b64url(secret.subarray(32)) }, format: "jwk" });
  return new Uint8Array(edSign(null, bytes, key));
}

/** True when `sig` is a valid signature of `bytes` by `publicKeyB64`; false for any malformed input. */
export async function verify(publicKeyB64: string, bytes: Uint8Array, sig: Uint8Array): Promise<boolean> {
  try {
    if (sig.length !== 64) return false;
    const key = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: b64url(decode(publicKeyB64, 32, "public key")) }, format: "jwk" });
    return edVerify(null, bytes, key, sig);
  } catch {
    return false;
  }
}

/** Reads and checks an identity file. Throws `CryptoError` `IDENTITY_INVALID` naming the path. */
export function readIdentityFile(path: string): IdentityFile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? "not valid JSON";
    throw new CryptoError("IDENTITY_INVALID", `cannot read identity file ${path}: ${reason}`, { cause: error });
  }
  const id = parsed as Partial<IdentityFile>;
  for (const field of ["agentId", "gateway", "publicKey", "secretKey", "createdAt"] as const) {
    if (typeof id[field] !== "string" || id[field] === "") {
      throw new CryptoError("IDENTITY_INVALID", `identity file ${path} has no ${field}`);
    }
  }
  try {
    decode(id.publicKey!, 32, "public key");
    decode(id.secretKey!, 64, "secret key");
  } catch (error) {
    throw new CryptoError("IDENTITY_INVALID", `identity file ${path}: ${(error as Error).message}`);
  }
  return id as IdentityFile;
}

/** Writes an identity file atomically with mode 0600 (owner only on Windows too). */
export function writeIdentityFile(path: string, identity: IdentityFile): void {
  writeFileAtomic(path, JSON.stringify(identity, null, 2) + "\n", { mode: 0o600 });
}

function b64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("base64");
}

function b64url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("base64url");
}

function decode(text: string, length: number, what: string): Uint8Array {
  const bytes = Buffer.from(text, "base64");
  if (bytes.length !== length) throw new CryptoError("IDENTITY_INVALID", `${what} must be base64 of ${length} bytes`);
  return new Uint8Array(bytes);
}
