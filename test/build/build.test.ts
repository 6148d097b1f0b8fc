/**
 * @module
 * Tests of `bun run build`: every target in build/targets.ts is compiled (from a tiny fixture
 * entry, so the test stays quick) and checked for its executable format and CPU; the Linux
 * binaries run, arm64 under qemu-user-static (installed by .ci/run).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { TARGETS, type BuildTarget } from "../../build/targets.ts";

const REPO = resolve(import.meta.dir, "../..");
const FIXTURE = join(import.meta.dir, "fixtures/hello-entry.ts");
const VERSION = "7.7.7-test.1";
let out: string;
let buildOutput: string;

/** Runs a command; `env` entries set to undefined are removed from the inherited environment. */
async function run(cmd: string[], options: { cwd?: string; env?: Record<string, string | undefined> } = {}) {
  const env = { ...process.env, ...options.env };
  for (const [name, value] of Object.entries(env)) if (value === undefined) delete env[name];
  const proc = Bun.spawn(cmd, { cwd: options.cwd ?? REPO, env, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, stdout, stderr };
}

const build = (...args: string[]) => run(["bun", join(REPO, "build/build.ts"), ...args]);

beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), "outpost-build-"));
  const result = await build("--entry", FIXTURE, "--out", out, "--version", VERSION);
  buildOutput = result.stdout + result.stderr;
  expect(result.code).toBe(0);
}, 600_000);

afterAll(async () => {
  if (out) await rm(out, { recursive: true, force: true });
});

/** CPU of an executable as "x64" or "arm64", read from its headers; throws on a wrong format. */
async function cpuOf(path: string, format: BuildTarget["format"]): Promise<string> {
  const head = new DataView(await Bun.file(path).slice(0, 4096).arrayBuffer());
  const machines: Record<number, string> = {};
  if (format === "elf") {
    expect(head.getUint32(0)).toBe(0x7f454c46); // \x7fELF
    Object.assign(machines, { 0x3e: "x64", 0xb7: "arm64" });
    return machines[head.getUint16(18, true)] ?? "unknown";
  }
  if (format === "pe") {
    expect(head.getUint16(0)).toBe(0x4d5a); // MZ
    const pe = head.getUint32(0x3c, true);
    expect(head.getUint32(pe)).toBe(0x50450000); // PE\0\0
    // Optional header (after the 24-byte COFF header), Subsystem at +68: 3 is a console program.
    expect(head.getUint16(pe + 24 + 68, true)).toBe(3);
    Object.assign(machines, { 0x8664: "x64", 0xaa64: "arm64" });
    return machines[head.getUint16(pe + 4, true)] ?? "unknown";
  }
  expect(head.getUint32(0, true)).toBe(0xfeedfacf); // 64-bit Mach-O, little-endian
  Object.assign(machines, { 0x01000007: "x64", 0x0100000c: "arm64" });
  return machines[head.getUint32(4, true)] ?? "unknown";
}

describe("bun run build", () => {
  test("prints a table with every target", () => {
    for (const target of TARGETS) expect(buildOutput).toContain(join(out, target.outfile));
    expect(buildOutput).toMatch(/linux-x64 +\S+ +\d+\.\d MiB/);
  });

  for (const target of TARGETS) {
    const cpu = target.name.includes("arm64") ? "arm64" : "x64";
    test(`${target.name}: ${target.outfile} has ${target.format} headers for ${cpu}`, async () => {
      expect(await cpuOf(join(out, target.outfile), target.format)).toBe(cpu);
    });
  }

  test("linux-x64 runs and prints the version given with --version", async () => {
    const result = await run([join(out, "outpost-linux-x64")]);
    expect(result).toMatchObject({ code: 0, stdout: `version ${VERSION}\n` });
  });

  test("linux-arm64 runs under qemu-user-static", async () => {
    // Needs Debian's qemu-user-static and libc6-arm64-cross (.ci/run installs them).
    const result = await run(["qemu-aarch64-static", "-L", "/usr/aarch64-linux-gnu", join(out, "outpost-linux-arm64")]);
    expect(result).toMatchObject({ code: 0, stdout: `version ${VERSION}\n` });
  }, 60_000);

  test(".env and bunfig.toml in the working directory do not reach the binary", async () => {
    const cwd = await mkdtemp(join(out, "cwd-"));
    const binary = join(out, "outpost-linux-x64");
    // The probe works when the variable really is in the environment.
    expect((await run([binary, "env"], { cwd, env: { OUTPOST_PROBE: "real" } })).stdout).toBe('{"probe":"real"}\n');
    await writeFile(join(cwd, ".env"), "OUTPOST_PROBE=from-dotenv\n");
    await writeFile(join(cwd, "bunfig.toml"), 'preload = ["./evil.ts"]\n[run]\npreload = ["./evil.ts"]\n');
    await writeFile(join(cwd, "evil.ts"), 'console.log("PRELOADED");\n');
    // Unset, so a loaded .env would fill it in (dotenv never overrides a set variable).
    const result = await run([binary, "env"], { cwd, env: { OUTPOST_PROBE: undefined } });
    expect(result).toMatchObject({ code: 0, stdout: '{"probe":null}\n', stderr: "" });
  });

  test("bad arguments exit 2 with a message", async () => {
    const unknown = await build("--target", "plan9-x64", "--out", out);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown target "plan9-x64"; known: linux-x64,');
    const version = await build("--target", "linux-x64", "--version", "1.0; rm -rf /", "--out", out);
    expect(version.code).toBe(2);
    expect(version.stderr).toContain("invalid --version");
    const entry = await build("--entry", join(out, "missing.ts"), "--out", out);
    expect(entry.code).toBe(2);
    expect(entry.stderr).toContain("missing.ts does not exist");
  });
});
