/**
 * @module
 * The upgrade room's pure parts: version order, manifest verification (signed with a real
 * libsodium key), archive readers against archives made by GNU tar, zip and our writer,
 * side-file naming, the package-manager rule and the progress output.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { writeZip } from "../../build/release-archive.ts";
import { generateIdentity, sign } from "../../src/crypto/identity.ts";
import { extractFromTarGz } from "../../src/upgrade/archive-tar.ts";
import { extractFromZip } from "../../src/upgrade/archive-zip.ts";
import { releaseBase, DEFAULT_RELEASE_BASE } from "../../src/upgrade/defaults.ts";
import { checkReplaceable, sidePaths } from "../../src/upgrade/install-location.ts";
import { verifyManifest } from "../../src/upgrade/manifest.ts";
import { createProgress } from "../../src/upgrade/progress.ts";
import { compareVersions } from "../../src/upgrade/semver.ts";
import { run, tempDir } from "./release-fixture.ts";

describe("compareVersions", () => {
  test("orders by semver precedence", () => {
    const sorted = ["1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.1", "1.10.0", "2.0.0"];
    for (let i = 1; i < sorted.length; i++) {
      expect(compareVersions(sorted[i - 1]!, sorted[i]!)).toBe(-1);
      expect(compareVersions(sorted[i]!, sorted[i - 1]!)).toBe(1);
    }
    expect(compareVersions("1.2.3+build.5", "v1.2.3")).toBe(0);
  });
});

describe("verifyManifest", () => {
  const manifest = new TextEncoder().encode(JSON.stringify({ version: "2.0.0", createdAt: "x", files: { "linux-x64": { file: "outpost-linux-x64.tar.gz", size: 3, sha256: "a".repeat(64) } } }));

  test("accepts a signature by either trusted key (rotation) and refuses others", async () => {
    const [current, next, stranger] = await Promise.all([generateIdentity(), generateIdentity(), generateIdentity()]);
    const signedByNext = Buffer.from(await sign(next.secretKey, manifest)).toString("base64");
    expect((await verifyManifest(manifest, signedByNext, [current.publicKey, next.publicKey])).version).toBe("2.0.0");
    const signedByStranger = Buffer.from(await sign(stranger.secretKey, manifest)).toString("base64");
    await expect(verifyManifest(manifest, signedByStranger, [current.publicKey, next.publicKey])).rejects.toMatchObject({ code: "BAD_SIGNATURE" });
    await expect(verifyManifest(manifest, "not base64 at all", [current.publicKey])).rejects.toMatchObject({ code: "BAD_SIGNATURE" });
  });

  test("refuses when no key is trusted (the shipped state until a release key exists)", async () => {
    await expect(verifyManifest(manifest, "", [])).rejects.toMatchObject({ code: "NO_TRUSTED_KEY", message: expect.stringContaining("trusts no release key") });
  });

  test("refuses a signed manifest whose file names could leave the folder", async () => {
    const pair = await generateIdentity();
    const bad = new TextEncoder().encode(JSON.stringify({ version: "2.0.0", files: { "linux-x64": { file: "../x", size: 1, sha256: "a".repeat(64) } } }));
    const signature = Buffer.from(await sign(pair.secretKey, bad)).toString("base64");
    await expect(verifyManifest(bad, signature, [pair.publicKey])).rejects.toMatchObject({ code: "BAD_MANIFEST" });
  });
});

describe("archive readers", () => {
  const dir = tempDir("outpost-archive-");
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const payload = Buffer.alloc(3 * 2 ** 20 + 123);
  for (let i = 0; i < payload.length; i++) payload[i] = (i * 7919) & 0xff;

  test("tar.gz from GNU tar: plain, ./-prefixed, long names (GNU L) and pax paths", async () => {
    const src = join(dir, "src");
    const long = "d".repeat(120);
    mkdirSync(join(src, long), { recursive: true });
    writeFileSync(join(src, "other"), "other file");
    writeFileSync(join(src, "outpost"), payload);
    writeFileSync(join(src, long, "outpost"), payload);
    for (const [format, members, name] of [
      ["gnu", ["other", "outpost"], "outpost"],
      ["gnu", ["./other", "./outpost"], "outpost"],
      ["gnu", ["other", `${long}/outpost`], `${long}/outpost`],
      ["pax", ["other", `${long}/outpost`], `${long}/outpost`],
    ] as const) {
      const archive = join(dir, `t-${format}.tar.gz`);
      expect((await run(["tar", `--format=${format}`, "-czf", archive, "-C", src, ...members])).code).toBe(0);
      const out = join(dir, "out");
      expect(await extractFromTarGz(archive, name, out)).toBe(true);
      expect(readFileSync(out).equals(payload)).toBe(true);
      expect(await extractFromTarGz(archive, "missing", out)).toBe(false);
    }
  });

  test("zip from our writer and from Info-ZIP (deflated and stored)", async () => {
    const bin = join(dir, "outpost.exe");
    writeFileSync(bin, payload);
    const ours = join(dir, "ours.zip");
    writeZip(bin, ours);
    const stored = join(dir, "stored.zip");
    expect((await run(["zip", "-q", "-0", "-j", stored, bin])).code).toBe(0);
    const deflated = join(dir, "deflated.zip");
    writeFileSync(join(dir, "readme.txt"), "first entry");
    expect((await run(["zip", "-q", "-j", deflated, join(dir, "readme.txt"), bin])).code).toBe(0);
    for (const archive of [ours, stored, deflated]) {
      const out = join(dir, "out.exe");
      expect(await extractFromZip(archive, "outpost.exe", out)).toBe(true);
      expect(readFileSync(out).equals(payload)).toBe(true);
      expect(await extractFromZip(archive, "nope.exe", out)).toBe(false);
    }
    expect((await run(["unzip", "-t", ours])).stdout).toContain("No errors detected");
  });
});

describe("install location", () => {
  test("side files sit beside the binary; Windows keeps the .exe ending", () => {
    expect(sidePaths("/opt/outpost/outpost", "linux")).toEqual({ binary: "/opt/outpost/outpost", download: "/opt/outpost/outpost.download", next: "/opt/outpost/outpost.new", previous: "/opt/outpost/outpost.old" });
    expect(sidePaths("C:/Outpost/outpost.exe", "win32").next).toBe(join("C:/Outpost", "outpost.new.exe"));
  });

  test("binaries under package-manager folders are refused", () => {
    for (const path of ["/usr/bin/outpost", "/opt/homebrew/Cellar/outpost/1.0/bin/outpost", "/nix/store/abc-outpost/bin/outpost"]) {
      expect(() => checkReplaceable(path)).toThrow(expect.objectContaining({ code: "PACKAGE_MANAGED" }));
    }
  });

  test("the base URL comes from the flag, then OUTPOST_RELEASE_BASE, then the default", () => {
    expect(releaseBase("http://mirror/x/", { OUTPOST_RELEASE_BASE: "http://env" })).toBe("http://mirror/x");
    expect(releaseBase(undefined, { OUTPOST_RELEASE_BASE: "http://env/" })).toBe("http://env");
    expect(releaseBase(undefined, {})).toBe(DEFAULT_RELEASE_BASE);
  });
});

describe("progress", () => {
  test("plain lines every 25 % off a terminal, a redrawn bar on one", () => {
    const lines: string[] = [];
    const plain = createProgress({ total: 100, label: "dl", tty: false, write: (t) => lines.push(t) });
    for (let i = 0; i <= 100; i += 5) plain.update(i);
    plain.done();
    expect(lines.map((l) => l.split(":")[1]!.trim().split(" ")[0])).toEqual(["0%", "25%", "50%", "75%", "100%"]);
    let screen = "";
    const bar = createProgress({ total: 100, label: "dl", tty: true, write: (t) => (screen += t) });
    bar.update(50);
    bar.update(100);
    bar.done();
    expect(screen).toContain("\rdl [###############               ]  50%");
    expect(screen.endsWith("100% 0.0/0.0 MiB\n")).toBe(true);
  });
});
