/**
 * @module
 * `outpost upgrade` of the real windows-x64 exe under Debian's Wine 8: v1 and v2 are built
 * with build/build.ts trusting a throwaway release key, v2 is released as a `.zip` with
 * build/release.ts and served on 127.0.0.1 (Wine's `fetch` to `localhost` hangs). v1 runs
 * the Windows path of src/upgrade: download, unzip `outpost.exe`, smoke-test it, rename the
 * running exe to `outpost.old.exe` and move the new one in; `--rollback` swaps them back.
 *
 * Wine keeps Windows' rule for a running exe (checked by hand in a test exe: writing over it
 * gives EBUSY, deleting it fails, renaming another file onto it gives EPERM, renaming it away
 * works), so the swap here runs under the same constraint as on Windows. It is still not
 * Windows: no services, no ACLs, no antivirus holding the new file open.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ReleaseKey } from "../../build/release-sign.ts";
import { startWine, writeProcessPrngForwarder, type Wine } from "../support/wine.ts";
import { buildBinary, copySite, makeKey, makeRelease, serveStatic, tempDir } from "../upgrade/release-fixture.ts";

const TARGET = "windows-x64";
const ZIP = `outpost-${TARGET}.zip`;
let work: string;
let site: string;
let wine: Wine | undefined;
let key: ReleaseKey & { file: string };
let v1: string;
let v2: string;
let server: { url: string; stop: () => void } | undefined;
let counter = 0;

beforeAll(async () => {
  work = tempDir("outpost-wine-upgrade-");
  site = join(work, "site");
  wine = await startWine(work); // first: throws at once when wine is missing
  key = await makeKey(work);
  // One after the other: each Windows build is ~5 s and a lot of memory.
  v1 = await buildBinary(join(work, "v1"), "1.0.0", key.publicKey, TARGET);
  v2 = await buildBinary(join(work, "v2"), "2.0.0", key.publicKey, TARGET);
  await makeRelease({ out: join(site, "good"), version: "2.0.0", keyFile: key.file, binaries: join(work, "v2"), target: TARGET });
  server = serveStatic(site);
}, 180_000);

afterAll(async () => {
  server?.stop();
  await wine?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** A fresh folder holding v1 as `outpost.exe` and the DLL Wine needs beside it; returns the exe. */
async function installV1(): Promise<string> {
  const dir = join(work, `bin-${++counter}`);
  mkdirSync(dir);
  copyFileSync(v1, join(dir, "outpost.exe"));
  await writeProcessPrngForwarder(dir);
  return join(dir, "outpost.exe");
}

const run = (exe: string, ...args: string[]) => wine!.run(exe, args, { cwd: work });
const upgrade = (exe: string, name: string) => run(exe, "upgrade", "--yes", "--base-url", `${server!.url}/${name}`);
const versionOf = async (exe: string) => (await run(exe, "--version")).stdout.trim();
const sha256 = (path: string) => new Bun.CryptoHasher("sha256").update(readFileSync(path)).digest("hex");
const files = (exe: string) => readdirSync(join(exe, "..")).sort();

/** stderr without the download's progress lines. */
const errorLines = (stderr: string) => stderr.split("\n").filter((line) => line !== "" && !line.startsWith(`downloading ${ZIP}:`));

async function expectV1Intact(exe: string): Promise<void> {
  expect(sha256(exe)).toBe(sha256(v1));
  expect(files(exe)).toEqual(["bcryptprimitives.dll", "outpost.exe"]);
  expect(await versionOf(exe)).toBe("1.0.0");
}

/** A copy of the good site named `name`; returns its version folder. */
function variant(name: string): string {
  copySite(join(site, "good"), join(site, name));
  return join(site, name, "2.0.0");
}

describe(`outpost upgrade of outpost-${TARGET}.exe under Wine`, () => {
  test("renames the running exe to outpost.old.exe, moves v2 in, exits 75; --rollback and a second upgrade swap again", async () => {
    const exe = await installV1();
    const result = await upgrade(exe, "good");
    expect(result.stdout).toContain("from 1.0.0 to 2.0.0 (previous binary kept at ");
    expect(result.stdout).toContain("\\outpost.old.exe;"); // a Windows path: Z:\tmp\...
    expect(result.stderr).toContain(`downloading ${ZIP}: 100%`);
    expect(errorLines(result.stderr)).toEqual([]);
    expect(result.code).toBe(75);
    expect(files(exe)).toEqual(["bcryptprimitives.dll", "outpost.exe", "outpost.old.exe"]);
    expect(sha256(exe)).toBe(sha256(v2));
    expect(await versionOf(exe)).toBe("2.0.0");
    expect(await versionOf(join(exe, "../outpost.old.exe"))).toBe("1.0.0");

    const back = await run(exe, "upgrade", "--rollback");
    expect(back).toMatchObject({ code: 75, stderr: "" });
    expect(back.stdout).toContain("\\outpost.exe to 1.0.0;");
    expect(files(exe)).toEqual(["bcryptprimitives.dll", "outpost.exe", "outpost.old.exe"]);
    expect(sha256(exe)).toBe(sha256(v1));
    expect(await versionOf(join(exe, "../outpost.old.exe"))).toBe("2.0.0");

    // Again from v1: the stale outpost.old.exe (not running) is removed before the swap.
    const again = await upgrade(exe, "good");
    expect(again.code).toBe(75);
    expect(sha256(exe)).toBe(sha256(v2));
    expect(sha256(join(exe, "../outpost.old.exe"))).toBe(sha256(v1));
    expect(files(exe)).toEqual(["bcryptprimitives.dll", "outpost.exe", "outpost.old.exe"]);
  }, 60_000);

  test("a manifest changed after signing is refused in one line, before any download", async () => {
    const dir = variant("bad-signature");
    const manifest = readFileSync(join(dir, "manifest.json"), "utf8");
    writeFileSync(join(dir, "manifest.json"), manifest.replace(/"createdAt": "[^"]*"/, '"createdAt": "2000-01-01T00:00:00.000Z"'));
    const exe = await installV1();
    const result = await upgrade(exe, "bad-signature");
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr.split("\n")).toEqual([expect.stringContaining("signature does not match any trusted release key"), ""]);
    await expectV1Intact(exe);
  }, 30_000);

  test("a zip whose sha256 differs from the signed manifest is refused in one line; outpost.exe stays v1, byte for byte", async () => {
    const dir = variant("tampered-zip");
    const zip = readFileSync(join(dir, ZIP));
    zip[zip.length >> 1]! ^= 0xff; // same size, different content
    writeFileSync(join(dir, ZIP), zip);
    const exe = await installV1();
    const result = await upgrade(exe, "tampered-zip");
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    const lines = errorLines(result.stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`${ZIP} has sha256 [0-9a-f]{64}, the manifest says [0-9a-f]{64}; nothing was changed$`));
    await expectV1Intact(exe);
  }, 60_000);
});
