/**
 * @module
 * Errors of the upgrade room. Every failure before the swap leaves the running binary
 * untouched, so each code says what was refused and nothing needs undoing by hand.
 */

export const UPGRADE_ERROR_CODES = [
  /** No release key is compiled into this binary, so nothing can be trusted. */
  "NO_TRUSTED_KEY",
  /** The manifest's signature does not verify with any trusted key (tampered, or signed by an unknown key). */
  "BAD_SIGNATURE",
  /** The manifest or latest.json is not what a release folder contains. */
  "BAD_MANIFEST",
  /** The release has no file for this platform, or this platform is unknown. */
  "NO_PLATFORM_FILE",
  /** The download failed or ended early (network, HTTP status, proxy). */
  "DOWNLOAD_FAILED",
  /** The downloaded file's size or sha256 differs from the signed manifest. */
  "CHECKSUM_MISMATCH",
  /** The archive does not hold the expected executable. */
  "BAD_ARCHIVE",
  /** The new binary did not run, or printed another version than the manifest's. */
  "SMOKE_TEST_FAILED",
  /** The requested version is older than the running one and `--allow-downgrade` was not given. */
  "DOWNGRADE_REFUSED",
  /** The binary's folder cannot be written (read-only, permissions, no space). */
  "NOT_WRITABLE",
  /** The binary belongs to a package manager; upgrade it with that package manager. */
  "PACKAGE_MANAGED",
  /** `--rollback` found no previous binary. */
  "NO_PREVIOUS",
  /** Renaming the files failed; the message says which binary is in place. */
  "SWAP_FAILED",
] as const;
export type UpgradeErrorCode = (typeof UPGRADE_ERROR_CODES)[number];

/** Downloads may succeed on a later try; nothing else here does without a change. */
const RETRYABLE: ReadonlySet<UpgradeErrorCode> = new Set(["DOWNLOAD_FAILED"]);

export class UpgradeError extends Error {
  override readonly name = "UpgradeError";
  readonly code: UpgradeErrorCode;
  readonly retryable: boolean;

  constructor(code: UpgradeErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.code = code;
    this.retryable = RETRYABLE.has(code);
  }
}
