/**
 * @module
 * Errors of the crypto room. Messages name files and config paths, never a key or a
 * plaintext: they are shown to people and may reach logs.
 */

export const CRYPTO_ERROR_CODES = [
  /** The value is not `ov1:` + base64 of a nonce and a ciphertext. */
  "MALFORMED",
  /** The ciphertext does not open with this key: another key, or the value was changed. */
  "WRONG_KEY_OR_TAMPERED",
  /** Encrypted values need a key, and none is configured or present. */
  "KEY_MISSING",
  /** The key file exists but cannot be read. */
  "KEY_UNREADABLE",
  /** The key is not base64 of 32 bytes. */
  "KEY_INVALID",
  /** An identity file is missing, unreadable or not a valid identity. */
  "IDENTITY_INVALID",
] as const;
export type CryptoErrorCode = (typeof CRYPTO_ERROR_CODES)[number];

export class CryptoError extends Error {
  override readonly name = "CryptoError";
  readonly code: CryptoErrorCode;
  /** Nothing here gets better by trying again: the key or the file must change. */
  readonly retryable = false;

  constructor(code: CryptoErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.code = code;
  }
}
