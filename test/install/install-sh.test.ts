/**
 * @module
 * install.sh against a real release (built by build/release.ts with a throwaway key, linux-x64
 * only) served from loopback, under sh, dash, bash and busybox sh, run from a file and piped
 * from curl. Tampering and unknown platforms must stop it before anything is installed.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cleanEnv, copySite, makeKey, makeRelease, run, serveStatic, tempDir } from "../upgrade/release-fixture.ts";

const SHELLS = [["sh"], ["dash"], ["bash"], ["busybox", "sh"]] as const;
let work: string;
let site: string;
let server: { url: string; stop: () => void };
let counter = 0;

beforeAll(async () => {
  work = tempDir("outpost-install-");
  site = join(work, "site");
  const key = await makeKey(work);
  await makeRelease({ out: join(site, "good"), version: "2.0.0", keyFile: key.file, releaseKeys: key.publicKey });
  // Same archive, one byte changed: SHA256SUMS no longer matches.
  copySite(join(site, "good"), join(site, "tampered"));
  flipByte(join(site, "tampered/2.0.0/outpost-linux-x64.tar.gz"));
  // Tampered archive with a SHA256SUMS to match: only the signature catches it.
  copySite(join(site, "tampered"), join(site, "resummed"));
  const sums = join(site, "resummed/2.0.0/SHA256SUMS");
  const archive = readFileSync(join(site, "resummed/2.0.0/outpost-linux-x64.tar.gz"));
  writeFileSync(sums, `${new Bun.CryptoHasher("sha256").update(archive).digest("hex")}  outpost-linux-x64.tar.gz\n`);
  server = serveStatic(site);
}, 300_000);

afterAll(() => {
  server?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

function flipByte(path: string) {
  const bytes = readFileSync(path);
  bytes[bytes.length - 100]! ^= 0xff;
  writeFileSync(path, bytes);
}

const freshDir = () => join(work, `dest-${++counter}`, "bin");

/** Runs the served install.sh from a file with `shell`. */
function fromFile(shell: readonly string[], args: string[], env: Record<string, string> = {}, release = "good") {
  return run([...shell, join(site, release, "install.sh"), ...args], { cwd: work, env: cleanEnv({ OUTPOST_DOWNLOAD_BASE: `${server.url}/${release}`, ...env }) });
}

/** `curl -fsSL <base>/install.sh | <shell> -s -- args`, as the docs tell people to run it. */
function piped(shell: readonly string[], args: string[], env: Record<string, string> = {}, release = "good") {
  const line = `curl -fsSL "$BASE/install.sh" | ${shell.join(" ")} -s -- ${args.map((a) => `'${a}'`).join(" ")}`;
  return run(["sh", "-c", line], { cwd: work, env: cleanEnv({ BASE: `${server.url}/${release}`, OUTPOST_DOWNLOAD_BASE: `${server.url}/${release}`, ...env }) });
}

async function versionOf(binary: string) {
  return (await run([binary, "--version"])).stdout.trim();
}

for (const shell of SHELLS) {
  describe(`install.sh under ${shell.join(" ")}`, () => {
    test("installs the latest release from a file, checking the signature", async () => {
      const dir = freshDir();
      const result = await fromFile(shell, ["--dir", dir, "--no-service"]);
      expect(result.stderr).toContain("signature of SHA256SUMS verified");
      expect(result.code).toBe(0);
      expect(result.stderr).toContain(`installed ${dir}/outpost (2.0.0)`);
      expect(await versionOf(join(dir, "outpost"))).toBe("2.0.0");
    }, 60_000);

    test("installs when piped from curl, with --version", async () => {
      const dir = freshDir();
      const result = await piped(shell, ["--version", "2.0.0", "--dir", dir]);
      expect(result.code).toBe(0);
      expect(result.stderr).toContain("signature of SHA256SUMS verified");
      expect(await versionOf(join(dir, "outpost"))).toBe("2.0.0");
    }, 60_000);

    test("refuses a tampered binary and installs nothing", async () => {
      const dir = freshDir();
      const result = await piped(shell, ["--dir", dir], {}, "tampered");
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/sha256 of outpost-linux-x64.tar.gz is [0-9a-f]{64}, SHA256SUMS says [0-9a-f]{64}; nothing was installed/);
      expect(existsSync(dir)).toBe(false);
    }, 60_000);

    test("refuses an unknown platform with a clear message", async () => {
      const dir = freshDir();
      const arch = await fromFile(shell, ["--dir", dir], { OUTPOST_ARCH: "sparc64" });
      expect(arch.code).toBe(1);
      expect(arch.stderr).toContain("unsupported CPU architecture 'sparc64': Outpost ships x64 and arm64 builds");
      const os = await fromFile(shell, ["--dir", dir], { OUTPOST_OS: "freebsd" });
      expect(os.code).toBe(1);
      expect(os.stderr).toContain("unsupported operating system 'freebsd'");
      expect(existsSync(dir)).toBe(false);
    }, 60_000);
  });
}

describe("install.sh checks", () => {
  test("a tampered binary with a matching SHA256SUMS fails the signature", async () => {
    const dir = freshDir();
    const result = await fromFile(["sh"], ["--dir", dir], {}, "resummed");
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("the signature of SHA256SUMS does not verify with the release key; nothing was installed");
    expect(existsSync(dir)).toBe(false);
  }, 60_000);

  test("OUTPOST_RELEASE_PUBKEY replaces the embedded key", async () => {
    const other = await makeKey(work, "other.key");
    const pem = join(work, "other.pem");
    writeFileSync(pem, readFileSync(join(site, "good/release-pub.pem"), "utf8").replace(/MCow[^\n]+/, `MCowBQYDK2VwAyEA${other.publicKey}`));
    const dir = freshDir();
    const result = await fromFile(["sh"], ["--dir", dir], { OUTPOST_RELEASE_PUBKEY: pem });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("does not verify with the release key");
  }, 60_000);

  test("musl is chosen when the system's ldd is musl's (as on Alpine)", async () => {
    // A PATH whose ldd answers as Alpine's does; the release has no musl build, so the
    // choice shows in the error. (Debian's own ldd says GLIBC, even with musl's loader installed.)
    const bin = join(work, "alpine-ldd");
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, "ldd"), "#!/bin/sh\necho 'musl libc (x86_64)' >&2\necho 'Version 1.2.3' >&2\nexit 1\n", { mode: 0o755 });
    const result = await fromFile(["sh"], ["--dir", freshDir()], { PATH: `${bin}:${process.env.PATH}` });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("release 2.0.0 has no build for linux-x64-musl");
  }, 60_000);

  test("a platform the release lacks is named", async () => {
    const result = await fromFile(["sh"], ["--dir", freshDir()], { OUTPOST_LIBC: "musl" });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("release 2.0.0 has no build for linux-x64-musl");
  }, 60_000);

  test("without openssl and curl it says the signature is not checked and uses wget", async () => {
    // A PATH holding only the tools install.sh needs, minus openssl and curl.
    const bin = join(work, "limited-bin");
    mkdirSync(bin);
    for (const tool of ["sh", "wget", "sha256sum", "awk", "sed", "tar", "gzip", "mktemp", "cp", "mv", "chmod", "mkdir", "rm", "id", "uname", "head", "ls", "cat"]) {
      const path = Bun.which(tool);
      if (!path) throw new Error(`${tool} is not installed`);
      symlinkSync(path, join(bin, tool));
    }
    const dir = freshDir();
    const result = await run(["/bin/sh", join(site, "good/install.sh"), "--dir", dir], { cwd: work, env: cleanEnv({ PATH: bin, OUTPOST_DOWNLOAD_BASE: `${server.url}/good` }) });
    expect(result.stderr).toContain("openssl not found; the signature of SHA256SUMS is NOT checked");
    expect(result.code).toBe(0);
    expect(await versionOf(join(dir, "outpost"))).toBe("2.0.0");
  }, 60_000);

  test("the repository's install.sh embeds no key and says so", async () => {
    const repoScript = join(import.meta.dir, "../../install.sh");
    const dir = freshDir();
    const result = await run(["sh", repoScript, "--dir", dir], { cwd: work, env: cleanEnv({ OUTPOST_DOWNLOAD_BASE: `${server.url}/good` }) });
    expect(result.stderr).toContain("this install.sh carries no release key; the signature of SHA256SUMS is NOT checked");
    expect(result.code).toBe(0);
  }, 60_000);

  test("--service prints activate, then service install, and installs no service", async () => {
    // A service started before activation would fail at once (no identity, no gateway:).
    const dir = freshDir();
    const result = await fromFile(["sh"], ["--dir", dir, "--service"]);
    expect(result.code).toBe(0);
    const activate = result.stderr.indexOf(`${dir}/outpost activate CODE --gateway`);
    const service = result.stderr.indexOf(`${dir}/outpost service install`);
    expect(activate).toBeGreaterThan(0);
    expect(service).toBeGreaterThan(activate);
    expect(result.stderr).not.toContain("wrote /etc/systemd/system");
  }, 60_000);

  test("install.sh is shellcheck-clean and runs everything from main on its last line", async () => {
    const script = join(import.meta.dir, "../../install.sh");
    const result = await run(["shellcheck", "--shell=sh", script]);
    expect(result.stdout + result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(readFileSync(script, "utf8").trimEnd().split("\n").at(-1)).toBe('main "$@"');
  });
});
