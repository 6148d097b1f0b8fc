/**
 * @module
 * One upgrade from start to swap: find the version, verify the signed manifest, download
 * and check this platform's archive, extract it beside the binary, run it with `--version`,
 * then swap. Every step before the swap works on side files only, and every failure removes
 * them, so the running binary stays in place and working whatever goes wrong.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, rmSync } from "node:fs";
import type { ProxySection } from "../config/types.ts";
import { extractFromTarGz } from "./archive-tar.ts";
import { extractFromZip } from "./archive-zip.ts";
import { releaseBase } from "./defaults.ts";
import { downloadVerified, notWritable } from "./download.ts";
import { UpgradeError } from "./errors.ts";
import { getBytes } from "./http.ts";
import { checkReplaceable, sidePaths } from "./install-location.ts";
import { verifyManifest, type ReleaseManifest } from "./manifest.ts";
import { currentTarget } from "./platform.ts";
import { RELEASE_KEYS } from "./release-keys.ts";
import { compareVersions } from "./semver.ts";
import { swapIn } from "./swap.ts";

export interface UpgradeOptions {
  /** The running version (`VERSION` of src/cli/version.ts). */
  currentVersion: string;
  /** Release base URL. Defaults to `OUTPOST_RELEASE_BASE`, else DEFAULT_RELEASE_BASE. */
  baseUrl?: string;
  /** The version to install. Defaults to the one in `<base>/latest.json`. */
  version?: string;
  /** Only report whether another version is available; change nothing. Defaults to `false`. */
  check?: boolean;
  /** Install an older version than the running one. Defaults to `false`. */
  allowDowngrade?: boolean;
  /** Binary to replace. Defaults to `process.execPath`. */
  binaryPath?: string;
  /** Release target name. Defaults to this machine's (`currentTarget()`). */
  target?: string;
  /** Trusted release keys. Defaults to the compiled-in RELEASE_KEYS. */
  keys?: readonly string[];
  /** config.yml's `proxy:` section; without it `HTTPS_PROXY`/`NO_PROXY` apply. */
  proxy?: ProxySection;
  /** CA file (PEM) trusted for the release host instead of the system store; the CLI passes config's `gateway.ca`. */
  caPath?: string;
  /** Asked once the version is known, before anything is downloaded; false stops. Defaults to yes. */
  confirm?: (from: string, to: string) => Promise<boolean>;
  /** Progress bar (true) or plain lines. Defaults to `process.stderr.isTTY`. */
  tty?: boolean;
  /** Where progress and step lines go. Defaults to stderr. */
  write?: (text: string) => void;
}

export interface UpgradeResult {
  /** `upgraded`: swapped, restart to run it; `available`: `check` found another version; `up-to-date`; `declined`: confirm said no. */
  status: "upgraded" | "available" | "up-to-date" | "declined";
  from: string;
  to: string;
  binaryPath: string;
  /** Where the previous binary was kept (status `upgraded`). */
  previousPath?: string;
}

/** Runs one upgrade. Throws UpgradeError; the running binary is untouched unless the result is `upgraded`. */
export async function performUpgrade(options: UpgradeOptions): Promise<UpgradeResult> {
  const base = releaseBase(options.baseUrl);
  const http = { proxy: options.proxy, caPath: options.caPath };
  const binaryPath = options.binaryPath ?? process.execPath;
  const from = options.currentVersion;
  const target = options.target ?? currentTarget();
  if (!target) throw new UpgradeError("NO_PLATFORM_FILE", `no Outpost release is built for ${process.platform}/${process.arch}`);

  const version = options.version ?? (await latestVersion(base, http));
  const manifest = await fetchManifest(base, version, options.keys ?? RELEASE_KEYS, http);
  const order = compareVersions(manifest.version, from);
  const result = { from, to: manifest.version, binaryPath };
  if (order === 0) return { ...result, status: "up-to-date" };
  if (order < 0 && !options.allowDowngrade) {
    throw new UpgradeError("DOWNGRADE_REFUSED", `${manifest.version} is older than the running ${from}; pass --allow-downgrade to install it anyway`);
  }
  const entry = manifest.files[target];
  if (!entry) throw new UpgradeError("NO_PLATFORM_FILE", `release ${manifest.version} has no file for ${target}`);
  if (options.check) return { ...result, status: "available" };

  checkReplaceable(binaryPath);
  if (options.confirm && !(await options.confirm(from, manifest.version))) return { ...result, status: "declined" };
  const paths = sidePaths(binaryPath);
  const write = options.write ?? ((text: string) => void process.stderr.write(text));
  try {
    await downloadVerified(`${base}/${manifest.version}/${entry.file}`, paths.download, entry, { ...http, tty: options.tty, write });
    await extract(paths.download, entry.file, paths.next);
    rmSync(paths.download, { force: true });
    smokeTest(paths.next, manifest.version);
    swapIn(paths);
  } catch (error) {
    rmSync(paths.download, { force: true });
    rmSync(paths.next, { force: true });
    throw error;
  }
  return { ...result, status: "upgraded", previousPath: paths.previous };
}

async function latestVersion(base: string, http: { proxy?: ProxySection; caPath?: string }): Promise<string> {
  const bytes = await getBytes(`${base}/latest.json`, http);
  try {
    const { version } = JSON.parse(new TextDecoder().decode(bytes)) as { version?: unknown };
    if (typeof version === "string" && /^[0-9A-Za-z.+-]+$/.test(version)) return version;
  } catch {
    // reported below
  }
  throw new UpgradeError("BAD_MANIFEST", `${base}/latest.json does not name a version`);
}

async function fetchManifest(base: string, version: string, keys: readonly string[], http: { proxy?: ProxySection; caPath?: string }): Promise<ReleaseManifest> {
  if (!/^[0-9A-Za-z.+-]+$/.test(version)) throw new UpgradeError("BAD_MANIFEST", `invalid version ${JSON.stringify(version)}`);
  const folder = `${base}/${version}`;
  const [bytes, signature] = await Promise.all([getBytes(`${folder}/manifest.json`, http), getBytes(`${folder}/manifest.json.sig`, http)]);
  const manifest = await verifyManifest(bytes, new TextDecoder().decode(signature), keys);
  // A correctly signed manifest of another version must not stand in for this one.
  if (manifest.version !== version) throw new UpgradeError("BAD_MANIFEST", `${folder}/manifest.json is for version ${manifest.version}, not ${version}`);
  return manifest;
}

async function extract(archive: string, file: string, dest: string): Promise<void> {
  const zip = file.endsWith(".zip");
  let found: boolean;
  try {
    found = zip ? await extractFromZip(archive, "outpost.exe", dest) : await extractFromTarGz(archive, "outpost", dest);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === "ENOSPC" || code === "EROFS" || code === "EACCES" || code === "EPERM") throw notWritable(cause);
    throw new UpgradeError("BAD_ARCHIVE", `cannot read ${file}: ${(cause as Error).message}`, { cause });
  }
  if (!found) throw new UpgradeError("BAD_ARCHIVE", `${file} holds no ${zip ? "outpost.exe" : "outpost"}`);
  chmodSync(dest, 0o755);
}

/** The new binary must start and print exactly the manifest's version. */
function smokeTest(binary: string, expected: string): void {
  const run = spawnSync(binary, ["--version"], { encoding: "utf8", timeout: 60_000, stdio: ["ignore", "pipe", "pipe"] });
  const printed = (run.stdout ?? "").trim();
  if (run.status === 0 && printed === expected) return;
  const why = run.error ? run.error.message : run.status !== 0 ? `exit code ${run.status ?? run.signal}` : `it printed ${JSON.stringify(printed.slice(0, 80))}`;
  throw new UpgradeError("SMOKE_TEST_FAILED", `the new binary failed its check (\`--version\` should print ${expected}; ${why}); nothing was changed`);
}
