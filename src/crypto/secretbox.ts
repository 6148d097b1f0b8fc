/**
 * @module
 * Encrypted config values: libsodium `crypto_secretbox_easy` (XSalsa20-Poly1305) with a
 * 32-byte key. Text form: `ov1:` + base64(nonce || ciphertext). The version prefix lets a
 * later scheme coexist; `ov1` values stay readable forever.
 */
import { CryptoError } from "./errors.ts";
import { sodium } from "./sodium.ts";

export const VALUE_PREFIX = "ov1:";
/** Bytes of a secret key. */
export const KEY_BYTES = 32;
const NONCE_BYTES = 24;
const MAC_BYTES = 16;

/** Encrypts `plain` with a fresh random nonce; every call gives a different text. */
export async function encryptValue(plain: string, key: Uint8Array): Promise<string> {
  const na = await sodium();
  checkKey(key);
  const nonce = na.randombytes_buf(NONCE_BYTES);
  const box = na.crypto_secretbox_easy(new TextEncoder().encode(plain), nonce, key);
  const joined = new Uint8Array(NONCE_BYTES + box.length);
  joined.set(nonce);
  joined.set(box, NONCE_BYTES);
  return VALUE_PREFIX + Buffer.from(joined).toString("base64");
}

/**
 * Opens a value made by `encryptValue`. Throws `CryptoError` `MALFORMED` (not our format,
 * truncated) or `WRONG_KEY_OR_TAMPERED` (does not authenticate with this key).
 */
export async function decryptValue(text: string, key: Uint8Array): Promise<string> {
  const na = await sodium();
  checkKey(key);
  if (!text.startsWith(VALUE_PREFIX)) {
    throw new CryptoError("MALFORMED", `encrypted value must start with "${VALUE_PREFIX}"`);
  }
  const body = text.slice(VALUE_PREFIX.length).trim();
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body)) {
    throw new CryptoError("MALFORMED", "encrypted value is not valid base64");
  }
  const bytes = new Uint8Array(Buffer.from(body, "base64"));
  if (bytes.length < NONCE_BYTES + MAC_BYTES) {
    throw new CryptoError("MALFORMED", "encrypted value is too short (truncated?)");
  }
  try {
    const plain = na.crypto_secretbox_open_easy(bytes.subarray(NONCE_BYTES), bytes.subarray(0, NONCE_BYTES), key);
    return new TextDecoder("utf-8", { fatal: true }).decode(plain);
  } catch {
    // libsodium says only "wrong secret key for the given ciphertext"; both causes look alike by design.
    throw new CryptoError("WRONG_KEY_OR_TAMPERED", "cannot decrypt: wrong secret key, or the value was changed");
  }
}

function checkKey(key: Uint8Array) {
  if (key.length !== KEY_BYTES) {
    throw new CryptoError("KEY_INVALID", `secret key must be ${KEY_BYTES} bytes, got ${key.length}`);
  }
}
