/**
 * @module
 * The release manifest: `<base>/<version>/manifest.json`, signed by a detached Ed25519
 * signature in `manifest.json.sig` (base64). The signature covers the file's exact bytes,
 * so they are verified before the JSON is even parsed.
 *
 *   { "version": "1.2.0", "createdAt": "2026-...Z",
 *     "files": { "linux-x64": { "file": "outpost-linux-x64.tar.gz", "size": 123, "sha256": "<hex>" } } }
 */
import { verify } from "../crypto/identity.ts";
import { UpgradeError } from "./errors.ts";

export interface ManifestFile {
  /** File name inside the version folder. */
  file: string;
  /** Size in bytes. */
  size: number;
  /** Lower-case hex sha256 of the file. */
  sha256: string;
}

export interface ReleaseManifest {
  version: string;
  /** ISO 8601. */
  createdAt: string;
  /** Per target name (build/targets.ts). */
  files: Record<string, ManifestFile>;
}

/**
 * Verifies `bytes` against `signatureText` (base64) with any of `keys`, then parses them.
 * Throws `NO_TRUSTED_KEY`, `BAD_SIGNATURE` or `BAD_MANIFEST`.
 */
export async function verifyManifest(bytes: Uint8Array, signatureText: string, keys: readonly string[]): Promise<ReleaseManifest> {
  if (keys.length === 0) {
    throw new UpgradeError("NO_TRUSTED_KEY", "this build trusts no release key, so it cannot verify an upgrade; install the new version by hand (see docs/install.md)");
  }
  const signature = new Uint8Array(Buffer.from(signatureText.trim(), "base64"));
  for (const key of keys) {
    if (await verify(key, bytes, signature)) return parseManifest(bytes);
  }
  throw new UpgradeError("BAD_SIGNATURE", "the release manifest's signature does not match any trusted release key (tampered, or signed by an unknown key); nothing was changed");
}

function parseManifest(bytes: Uint8Array): ReleaseManifest {
  let data: Partial<ReleaseManifest>;
  try {
    data = JSON.parse(new TextDecoder().decode(bytes)) as Partial<ReleaseManifest>;
  } catch (cause) {
    throw new UpgradeError("BAD_MANIFEST", "the release manifest is not valid JSON", { cause });
  }
  if (typeof data.version !== "string" || typeof data.files !== "object" || data.files === null) {
    throw new UpgradeError("BAD_MANIFEST", "the release manifest has no version or files");
  }
  for (const [target, entry] of Object.entries(data.files)) {
    const ok = typeof entry?.file === "string" && /^[\w.-]+$/.test(entry.file) && Number.isSafeInteger(entry.size) && /^[0-9a-f]{64}$/.test(entry.sha256 ?? "");
    if (!ok) throw new UpgradeError("BAD_MANIFEST", `the release manifest's entry for ${target} is malformed`);
  }
  return data as ReleaseManifest;
}
