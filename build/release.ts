/**
 * @module
 * `bun run release`: builds every target, packs and signs a release folder.
 *
 *   bun build/release.ts --version 1.2.0 --key release.key [--out dist/release]
 *   bun build/release.ts --targets linux-x64,windows-x64 ...   only these targets
 *   bun build/release.ts --binaries DIR ...                    pack DIR/outpost-<target>[.exe] instead of building
 *   bun build/release.ts --release-keys K1[,K2] ...            binaries trust these keys (tests)
 *   bun build/release.ts --generate-key FILE                   new key: secret to FILE (0600), public key printed
 *
 * The key is `--key FILE` or `OUTPOST_RELEASE_KEY` (base64). Layout: see release-folder.ts.
 * Exit codes: 0 done, 1 failed, 2 bad arguments.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { compileTarget } from "./compile.ts";
import { writeReleaseFolder } from "./release-folder.ts";
import { generateReleaseKey, loadReleaseKey, publicKeyPem } from "./release-sign.ts";
import { findTarget, TARGETS } from "./targets.ts";

const ROOT = resolve(import.meta.dir, "..");

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      version: { type: "string" },
      key: { type: "string" },
      out: { type: "string" },
      targets: { type: "string", multiple: true },
      binaries: { type: "string" },
      "release-keys": { type: "string" },
      "generate-key": { type: "string" },
    },
    strict: true,
  });
  if (values["generate-key"]) {
    const key = await generateReleaseKey(resolve(values["generate-key"]));
    console.log(`secret key written to ${values["generate-key"]} (keep it offline; never commit it)`);
    console.log(`public key (base64, for src/upgrade/release-keys.ts): ${key.publicKey}`);
    process.stdout.write(publicKeyPem(key.publicKey));
    return 0;
  }
  const names = (values.targets ?? []).flatMap((t) => t.split(",")).filter(Boolean);
  const unknown = names.filter((name) => !findTarget(name));
  if (unknown.length > 0) throw new UsageError(`unknown target ${unknown.join(", ")}; known: ${TARGETS.map((t) => t.name).join(", ")}`);
  const targets = names.length === 0 ? TARGETS : names.map((name) => findTarget(name)!);
  const pkg = JSON.parse(await readFile(join(ROOT, "package.json"), "utf8")) as { version: string };
  const version = values.version ?? pkg.version;
  if (!/^[0-9A-Za-z.+-]+$/.test(version)) throw new UsageError(`invalid --version ${JSON.stringify(version)}`);
  const key = loadReleaseKey(values.key);
  const out = resolve(values.out ?? join(ROOT, "dist/release"));

  const scratch = values.binaries ? undefined : mkdtempSync(join(tmpdir(), "outpost-release-build-"));
  try {
    const binaries = new Map<string, string>();
    for (const target of targets) {
      const path = scratch
        ? (await compileTarget({ entry: join(ROOT, "src/cli/main.ts"), target, outDir: scratch, version, releaseKeys: values["release-keys"] })).path
        : join(resolve(values.binaries!), target.outfile);
      if (!existsSync(path)) throw new UsageError(`no binary for ${target.name} at ${path}`);
      binaries.set(target.name, path);
    }
    const manifest = await writeReleaseFolder({ version, out, binaries, key });
    for (const [target, file] of Object.entries(manifest.files)) console.log(`${target.padEnd(18)} ${file.file}  ${(file.size / 2 ** 20).toFixed(1)} MiB`);
    console.log(`release ${version} written to ${out}`);
    return 0;
  } finally {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }
}

class UsageError extends Error {}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  console.error(`release: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = error instanceof UsageError || (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS") ? 2 : 1;
}
