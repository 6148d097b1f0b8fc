/**
 * @module
 * `outpost upgrade` on real compiled binaries: v1 and v2 are built with build/build.ts
 * trusting a throwaway release key, v2 is released with build/release.ts, and the release
 * folder (and tampered copies of it) is served from loopback. The good path swaps and rolls
 * back; every failure leaves v1 in place, working, with no side files left behind.
 *
 * No space and read-only folders are real: a size-limited tmpfs, and a tmpfs remounted
 * read-only (tests run as root, which ignores permission bits but not a read-only mount).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { writeTarGz } from "../../build/release-archive.ts";
import { buildBinary, copySite, makeKey, makeRelease, resignManifest, run, serveDroppingDownloads, serveStatic, tempDir, cleanEnv } from "./release-fixture.ts";
import type { ReleaseKey } from "../../build/release-sign.ts";
import type { ReleaseManifest } from "../../src/upgrade/manifest.ts";

let work: string;
let site: string;
let key: ReleaseKey & { file: string };
let v1: string;
let server: { url: string; stop: () => void };
let counter = 0;

beforeAll(async () => {
  work = tempDir("outpost-upgrade-");
  site = join(work, "site");
  key = await makeKey(work);
  [v1] = await Promise.all([buildBinary(join(work, "v1"), "1.0.0", key.publicKey), buildBinary(join(work, "v2"), "2.0.0", key.publicKey)]);
  await makeRelease({ out: join(site, "good"), version: "2.0.0", keyFile: key.file, binaries: join(work, "v2") });
  server = serveStatic(site);
}, 300_000);

afterAll(() => {
  server?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** A fresh folder holding v1 as `outpost` (or `dir` when given). */
function installV1(dir = join(work, `bin-${++counter}`)): string {
  mkdirSync(dir, { recursive: true });
  copyFileSync(v1, join(dir, "outpost"));
  return join(dir, "outpost");
}

const upgrade = (binary: string, site: string, ...args: string[]) =>
  run([binary, "upgrade", "--yes", "--base-url", `${server.url}/${site}`, ...args], { cwd: work, env: cleanEnv() });

async function expectV1Intact(binary: string) {
  expect((await run([binary, "--version"])).stdout.trim()).toBe("1.0.0");
  expect(readdirSync(join(binary, "..")).sort()).toEqual(["outpost"]);
}

/** A copy of the good site named `name`; returns its version folder. */
function variant(name: string): string {
  copySite(join(site, "good"), join(site, name));
  return join(site, name, "2.0.0");
}

function readManifest(versionDir: string): ReleaseManifest {
  return JSON.parse(readFileSync(join(versionDir, "manifest.json"), "utf8")) as ReleaseManifest;
}

/** Replaces the linux-x64 archive with one holding `script` as `outpost`, and re-signs a manifest that vouches for it. */
async function replaceArchive(versionDir: string, script: string, version?: string) {
  const scriptPath = join(versionDir, "script");
  writeFileSync(scriptPath, script, { mode: 0o755 });
  const archive = join(versionDir, "outpost-linux-x64.tar.gz");
  rmSync(archive);
  writeTarGz(scriptPath, archive);
  rmSync(scriptPath);
  const manifest = readManifest(versionDir);
  const bytes = readFileSync(archive);
  manifest.files["linux-x64"] = { file: "outpost-linux-x64.tar.gz", size: bytes.length, sha256: new Bun.CryptoHasher("sha256").update(bytes).digest("hex") };
  if (version) manifest.version = version;
  writeFileSync(join(versionDir, "manifest.json"), JSON.stringify(manifest, null, 2));
  await resignManifest(versionDir, key);
}

describe("outpost upgrade", () => {
  test("swaps in the new version, exits 75, keeps the old one, and --rollback puts it back", async () => {
    const binary = installV1();
    const result = await upgrade(binary, "good");
    expect(result.code).toBe(75);
    expect(result.stdout).toContain("from 1.0.0 to 2.0.0");
    expect(result.stderr).toContain("downloading outpost-linux-x64.tar.gz: 100%");
    expect((await run([binary, "--version"])).stdout.trim()).toBe("2.0.0");
    expect((await run([`${binary}.old`, "--version"])).stdout.trim()).toBe("1.0.0");
    expect(readdirSync(join(binary, "..")).sort()).toEqual(["outpost", "outpost.old"]);

    const again = await upgrade(binary, "good");
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("2.0.0 is up to date");

    const back = await run([binary, "upgrade", "--rollback"]);
    expect(back.code).toBe(75);
    expect((await run([binary, "--version"])).stdout.trim()).toBe("1.0.0");
    expect((await run([`${binary}.old`, "--version"])).stdout.trim()).toBe("2.0.0");
  }, 60_000);

  test("--check and --version name what is available and change nothing", async () => {
    const binary = installV1();
    const check = await upgrade(binary, "good", "--check");
    expect(check.code).toBe(0);
    expect(check.stdout).toContain("2.0.0 is available (running 1.0.0)");
    const missing = await upgrade(binary, "good", "--version", "3.0.0");
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("3.0.0/manifest.json: HTTP 404");
    await expectV1Intact(binary);
  }, 60_000);

  test("without --yes and without a terminal it asks for --yes", async () => {
    const binary = installV1();
    const result = await run([binary, "upgrade", "--base-url", `${server.url}/good`], { cwd: work });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("pass --yes");
    await expectV1Intact(binary);
  }, 60_000);

  test("a manifest changed after signing is refused (bad signature)", async () => {
    const dir = variant("bad-signature");
    writeFileSync(join(dir, "manifest.json"), readFileSync(join(dir, "manifest.json"), "utf8").replace(/"createdAt": "[^"]*"/, '"createdAt": "2000-01-01T00:00:00.000Z"'));
    const binary = installV1();
    const result = await upgrade(binary, "bad-signature");
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("signature does not match any trusted release key");
    await expectV1Intact(binary);
  }, 60_000);

  test("a manifest signed by an unknown key is refused", async () => {
    const dir = variant("unknown-key");
    await resignManifest(dir, await makeKey(work, "other.key"));
    const binary = installV1();
    const result = await upgrade(binary, "unknown-key");
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("signature does not match any trusted release key");
    await expectV1Intact(binary);
  }, 60_000);

  test("an archive whose sha256 differs from the manifest is refused", async () => {
    const dir = variant("wrong-sha");
    const archive = join(dir, "outpost-linux-x64.tar.gz");
    const bytes = readFileSync(archive);
    bytes[bytes.length - 100]! ^= 0xff; // same size, different content
    writeFileSync(archive, bytes);
    const binary = installV1();
    const result = await upgrade(binary, "wrong-sha");
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/has sha256 [0-9a-f]{64}, the manifest says [0-9a-f]{64}; nothing was changed/);
    await expectV1Intact(binary);
  }, 60_000);

  test("a truncated archive is refused", async () => {
    const dir = variant("truncated");
    const archive = join(dir, "outpost-linux-x64.tar.gz");
    truncateSync(archive, Math.floor(statSync(archive).size / 3));
    const binary = installV1();
    const result = await upgrade(binary, "truncated");
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("(truncated download?)");
    await expectV1Intact(binary);
  }, 60_000);

  test("a download that breaks off midway is refused", async () => {
    const dropping = await serveDroppingDownloads(site);
    try {
      const binary = installV1();
      const result = await run([binary, "upgrade", "--yes", "--base-url", `${dropping.url}/good`], { cwd: work });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/outpost-linux-x64.tar.gz (broke off|has \d+ bytes, the manifest says \d+ \(truncated download\?\))/);
      await expectV1Intact(binary);
    } finally {
      dropping.stop();
    }
  }, 60_000);

  test("a new binary that fails its --version check is refused", async () => {
    const dir = variant("smoke");
    await replaceArchive(dir, "#!/bin/sh\necho 9.9.9\n");
    const binary = installV1();
    const result = await upgrade(binary, "smoke");
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('should print 2.0.0; it printed "9.9.9"');
    await expectV1Intact(binary);
  }, 60_000);

  test("an older version is refused unless --allow-downgrade", async () => {
    copySite(join(site, "good", "2.0.0"), join(site, "older", "0.9.0"));
    writeFileSync(join(site, "older", "latest.json"), '{"version":"0.9.0"}');
    await replaceArchive(join(site, "older", "0.9.0"), "#!/bin/sh\necho 0.9.0\n", "0.9.0");
    const binary = installV1();
    const refused = await upgrade(binary, "older");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("0.9.0 is older than the running 1.0.0; pass --allow-downgrade");
    await expectV1Intact(binary);
    const allowed = await upgrade(binary, "older", "--allow-downgrade");
    expect(allowed.code).toBe(75);
    expect((await run([binary, "--version"])).stdout.trim()).toBe("0.9.0");
  }, 60_000);

  test("a binary with a .package-managed marker beside it is refused", async () => {
    const binary = installV1();
    writeFileSync(join(binary, "..", ".package-managed"), "apt\n");
    const result = await upgrade(binary, "good");
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("managed by a package manager");
    expect((await run([binary, "--version"])).stdout.trim()).toBe("1.0.0");
  }, 60_000);

  describe("on real mounts (root)", () => {
    const mounts: string[] = [];
    afterAll(async () => {
      for (const mount of mounts) await run(["umount", "-l", mount]);
    });

    async function tmpfs(sizeBytes: number): Promise<string> {
      const dir = join(work, `mnt-${++counter}`);
      mkdirSync(dir);
      const result = await run(["mount", "-t", "tmpfs", "-o", `size=${Math.ceil(sizeBytes / 4096) * 4}k`, "tmpfs", dir]);
      expect(result.stderr).toBe("");
      mounts.push(dir);
      return dir;
    }

    test("a read-only folder is refused before anything is downloaded", async () => {
      const dir = await tmpfs(statSync(v1).size + 2 ** 20);
      const binary = installV1(dir);
      expect((await run(["mount", "-o", "remount,ro", dir])).code).toBe(0);
      const result = await upgrade(binary, "good");
      expect(result.code).toBe(1);
      expect(result.stderr).toContain("read-only file system");
      expect(result.stderr).not.toContain("downloading");
      await expectV1Intact(binary);
    }, 60_000);

    test("running out of space while unpacking leaves the old binary and no side files", async () => {
      const archive = statSync(join(site, "good", "2.0.0", "outpost-linux-x64.tar.gz")).size;
      // Room for v1 and the download, not for the unpacked v2 as well.
      const dir = await tmpfs(statSync(v1).size + archive + 16 * 2 ** 20);
      const binary = installV1(dir);
      const result = await upgrade(binary, "good");
      expect(result.code).toBe(1);
      expect(result.stderr).toContain("no space left on the device");
      await expectV1Intact(binary);
    }, 60_000);
  });
});
