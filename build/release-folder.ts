/**
 * @module
 * Lays out one release as a plain static folder, so a mirror is a file copy:
 *
 *   <out>/latest.json                 {"version": "1.2.0"}
 *   <out>/install.sh, install.ps1     the installers (install.sh carries the release key)
 *   <out>/release-pub.pem             the release public key, for openssl
 *   <out>/<version>/outpost-<target>.tar.gz | .zip
 *   <out>/<version>/SHA256SUMS        sha256sum format; SHA256SUMS.sig = raw 64-byte Ed25519 signature
 *   <out>/<version>/manifest.json     {version, createdAt, files}; manifest.json.sig = base64 signature
 */
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ManifestFile, ReleaseManifest } from "../src/upgrade/manifest.ts";
import { writeTarGz, writeZip } from "./release-archive.ts";
import { publicKeyPem, signBytes, type ReleaseKey } from "./release-sign.ts";

const ROOT = join(import.meta.dir, "..");

/** Marks the lines of install.sh that the release replaces with its public key. */
const KEY_BLOCK = /(# BEGIN RELEASE PUBLIC KEY[^\n]*\n)[\s\S]*?(\n[ \t]*# END RELEASE PUBLIC KEY)/;

export interface ReleaseFolderOptions {
  version: string;
  /** Output folder (the top of the static site). */
  out: string;
  /** Per target name, the path of its executable. */
  binaries: ReadonlyMap<string, string>;
  key: ReleaseKey;
  /** Defaults to now. */
  createdAt?: Date;
}

/** Writes the version folder, then the top-level files; returns the manifest. */
export async function writeReleaseFolder(options: ReleaseFolderOptions): Promise<ReleaseManifest> {
  const folder = join(options.out, options.version);
  mkdirSync(folder, { recursive: true });
  const files: Record<string, ManifestFile> = {};
  for (const [target, binary] of options.binaries) {
    const windows = target.startsWith("windows-");
    const file = `outpost-${target}${windows ? ".zip" : ".tar.gz"}`;
    if (windows) writeZip(binary, join(folder, file));
    else writeTarGz(binary, join(folder, file));
    files[target] = describe(join(folder, file), file);
  }
  const manifest: ReleaseManifest = { version: options.version, createdAt: (options.createdAt ?? new Date()).toISOString(), files };
  const manifestBytes = Buffer.from(JSON.stringify(manifest, null, 2) + "\n");
  writeFileSync(join(folder, "manifest.json"), manifestBytes);
  writeFileSync(join(folder, "manifest.json.sig"), Buffer.from(await signBytes(options.key, manifestBytes)).toString("base64") + "\n");
  const sums = Buffer.from(Object.values(files).map((f) => `${f.sha256}  ${f.file}\n`).sort().join(""));
  writeFileSync(join(folder, "SHA256SUMS"), sums);
  writeFileSync(join(folder, "SHA256SUMS.sig"), await signBytes(options.key, sums));

  const pem = publicKeyPem(options.key.publicKey);
  writeFileSync(join(options.out, "release-pub.pem"), pem);
  writeFileSync(join(options.out, "install.sh"), embedKey(readFileSync(join(ROOT, "install.sh"), "utf8"), pem), { mode: 0o755 });
  writeFileSync(join(options.out, "install.ps1"), readFileSync(join(ROOT, "install.ps1")));
  writeFileSync(join(options.out, "latest.json"), JSON.stringify({ version: options.version }) + "\n");
  return manifest;
}

function describe(path: string, file: string): ManifestFile {
  const bytes = readFileSync(path);
  return { file, size: statSync(path).size, sha256: createHash("sha256").update(bytes).digest("hex") };
}

/** install.sh with the PEM between its key markers. */
export function embedKey(script: string, pem: string): string {
  if (!KEY_BLOCK.test(script)) throw new Error("install.sh has no RELEASE PUBLIC KEY block");
  return script.replace(KEY_BLOCK, (_all, begin: string, end: string) => `${begin}  RELEASE_PUBKEY_PEM="${pem.trimEnd()}"${end}`);
}
