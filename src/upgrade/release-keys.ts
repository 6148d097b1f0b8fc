/**
 * @module
 * The Ed25519 public keys this binary trusts for release manifests. Room for two: the
 * current key and the next one, so a key can be rotated by shipping a release that trusts
 * both before any manifest is signed with the new one.
 *
 * The list is EMPTY on purpose: no production release key exists yet, and `outpost upgrade`
 * refuses (NO_TRUSTED_KEY) rather than trust nothing. When the project gets its key, put its
 * base64 public key (printed by `bun build/release.ts --generate-key FILE`) here.
 *
 * Builds may override the list with `--release-keys KEY[,KEY]` (build/build.ts), which
 * inlines `OUTPOST_RELEASE_KEYS`; tests use it to trust a throwaway key.
 */

declare const OUTPOST_RELEASE_KEYS: string | undefined;

/** Compiled-in keys (base64 of 32 bytes). Current first, then the next one. */
const COMPILED_IN: readonly string[] = [];

/** The keys in effect: the build-time override when given, else the compiled-in list. */
export const RELEASE_KEYS: readonly string[] =
  typeof OUTPOST_RELEASE_KEYS === "string"
    ? OUTPOST_RELEASE_KEYS.split(",").map((key) => key.trim()).filter((key) => key !== "")
    : COMPILED_IN;
