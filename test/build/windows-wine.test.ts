/**
 * @module
 * Smoke test of the Windows build under Debian's Wine 8 (installed by .ci/run): the real
 * `outpost-windows-x64.exe`, built here with a test version, runs `--version`, `version`,
 * `--help`, `config init`/`validate`, an `encrypt` round trip and `dev --check` (gateway,
 * agent, SQLite worker thread, TLS tunnel). It proves the exe starts, reaches the command
 * line and does its work; it is not Windows. A known Wine-only gap: `fetch` to `localhost`
 * hangs (`outpost dev` uses 127.0.0.1).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const REPO = resolve(import.meta.dir, "../..");
const VERSION = "7.7.7-wine.1";
let out: string;
let exe: string;
let work: string;
let wineEnv: Record<string, string>;

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function run(cmd: string[], options: { cwd?: string; env?: Record<string, string>; input?: string } = {}): Promise<Run> {
  const env: Record<string, string | undefined> = { ...process.env, ...options.env };
  if (!options.env?.OUTPOST_CONFIG) delete env.OUTPOST_CONFIG;
  const proc = Bun.spawn(cmd, { cwd: options.cwd ?? work, env, stdin: options.input === undefined ? "ignore" : "pipe", stdout: "pipe", stderr: "pipe" });
  if (options.input !== undefined) {
    proc.stdin!.write(options.input);
    await proc.stdin!.end();
  }
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, stdout, stderr };
}

/** Runs a Wine tool with no pipes: the daemons it leaves behind would hold them open. */
async function detached(cmd: string[]): Promise<number> {
  return Bun.spawn(cmd, { cwd: out, env: { ...process.env, ...wineEnv }, stdio: ["ignore", "ignore", "ignore"] }).exited;
}

/** Runs the Windows exe under Wine; `input` goes to its stdin through a pipe. */
const outpost = (args: string[], options: { cwd?: string; env?: Record<string, string>; input?: string } = {}) =>
  run(["wine", exe, ...args], { ...options, env: { ...wineEnv, ...options.env } });

/**
 * A DLL named bcryptprimitives.dll whose one export, ProcessPrng, forwards to
 * advapi32.SystemFunction036 (RtlGenRandom: same arguments, fills the buffer with random
 * bytes). Bun's Windows runtime imports ProcessPrng, which Wine 8 lacks, so without this the
 * exe does not load. Written as bytes so no MinGW toolchain is needed; placed beside the exe,
 * where the Windows loader looks first.
 */
function processPrngForwarder(): Uint8Array {
  const bytes = new Uint8Array(0x400);
  const view = new DataView(bytes.buffer);
  const u16 = (at: number, value: number) => view.setUint16(at, value, true);
  const u32 = (at: number, value: number) => view.setUint32(at, value, true);
  const u64 = (at: number, value: bigint) => view.setBigUint64(at, value, true);
  const text = (at: number, value: string) => bytes.set(new TextEncoder().encode(`${value}\0`), at);
  const [coff, opt, section] = [0x44, 0x58, 0x148]; // PE signature at 0x40, optional header is 240 bytes
  const [raw, rva] = [0x200, 0x1000]; // the one section (.rdata) in the file and in memory
  u16(0, 0x5a4d); // MZ
  u32(0x3c, 0x40);
  u32(0x40, 0x4550); // PE\0\0
  u16(coff, 0x8664); // x64
  u16(coff + 2, 1); // one section
  u16(coff + 16, 240);
  u16(coff + 18, 0x2022); // executable image, large address aware, DLL
  u16(opt, 0x20b); // PE32+
  u32(opt + 8, 0x200); // size of initialized data
  u32(opt + 20, rva); // base of code
  u64(opt + 24, 0x180000000n); // image base
  u32(opt + 32, 0x1000); // section alignment
  u32(opt + 36, 0x200); // file alignment
  u16(opt + 40, 6); // OS version 6.0
  u16(opt + 48, 6); // subsystem version 6.0
  u32(opt + 56, 0x2000); // size of image
  u32(opt + 60, raw); // size of headers
  u16(opt + 68, 3); // console subsystem
  u16(opt + 70, 0x140); // dynamic base, NX compatible
  for (const [at, size] of [[72, 0x100000n], [80, 0x1000n], [88, 0x100000n], [96, 0x1000n]] as const) u64(opt + at, size); // stack, heap
  u32(opt + 108, 16); // data directories
  // Export directory (40 bytes), then its tables and strings at these offsets in the section.
  const [functions, names, ordinals, dllName, exportName, forward] = [40, 44, 48, 52, 76, 88];
  const target = "advapi32.SystemFunction036";
  u32(raw + 12, rva + dllName);
  u32(raw + 16, 1); // ordinal base
  u32(raw + 20, 1); // functions
  u32(raw + 24, 1); // names
  u32(raw + 28, rva + functions);
  u32(raw + 32, rva + names);
  u32(raw + 36, rva + ordinals);
  u32(raw + functions, rva + forward); // inside the export directory: a forwarder string
  u32(raw + names, rva + exportName);
  text(raw + dllName, "bcryptprimitives.dll");
  text(raw + exportName, "ProcessPrng");
  text(raw + forward, target);
  const size = forward + target.length + 1;
  u32(opt + 112, rva); // export directory
  u32(opt + 116, size);
  text(section, ".rdata");
  u32(section + 8, size);
  u32(section + 12, rva);
  u32(section + 16, 0x200);
  u32(section + 20, raw);
  u32(section + 36, 0x40000040); // initialized data, readable
  return bytes;
}

beforeAll(async () => {
  if (!Bun.which("wine")) throw new Error("wine is not installed: apt-get install wine wine64 (.ci/run installs it)");
  out = await mkdtemp(join(tmpdir(), "outpost-wine-"));
  work = await mkdtemp(join(out, "work-"));
  const build = await run(["bun", join(REPO, "build/build.ts"), "--target", "windows-x64", "--out", out, "--version", VERSION], { cwd: REPO });
  expect(build.code).toBe(0);
  exe = join(out, "outpost-windows-x64.exe");
  await writeFile(join(out, "bcryptprimitives.dll"), processPrngForwarder());
  // A throwaway prefix; no Mono or Gecko install prompts; Wine's own diagnostics off.
  wineEnv = { WINEPREFIX: join(out, "prefix"), WINEDEBUG: "-all", WINEDLLOVERRIDES: "mscoree,mshtml=" };
  // A server that stays up, and the prefix's services started once: otherwise each run
  // starts them again and they keep its output pipes open until they linger out (~3 s).
  await mkdir(wineEnv.WINEPREFIX!); // the server needs the prefix folder to exist
  expect(await detached(["wineserver", "--persistent"])).toBe(0);
  expect(await detached(["wineboot", "--init"])).toBe(0);
}, 180_000);

afterAll(async () => {
  if (wineEnv) await detached(["wineserver", "--kill"]);
  if (out) await rm(out, { recursive: true, force: true });
});

describe("outpost-windows-x64.exe under Wine", () => {
  test("--version prints the version inlined at build time", async () => {
    expect(await outpost(["--version"])).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: "" });
  });

  test("version names Outpost, Bun and win32/x64", async () => {
    const result = await outpost(["version"]);
    expect(result).toMatchObject({ code: 0, stderr: "" });
    expect(result.stdout.split("\n")).toEqual([`outpost ${VERSION}`, `bun ${Bun.version}`, "win32/x64", ""]);
  });

  test("--help lists the commands", async () => {
    const result = await outpost(["--help"]);
    expect(result.code).toBe(0);
    for (const command of ["outpost run", "outpost service <command>", "outpost config <command>", "outpost encrypt"]) expect(result.stdout).toContain(command);
  });

  test("config init writes a starter file that config validate accepts", async () => {
    const dir = await mkdtemp(join(work, "init-"));
    const init = await outpost(["config", "init"], { cwd: dir });
    expect(init.code).toBe(0);
    expect(init.stdout).toContain("config.yml"); // as a Windows path: Z:\tmp\...\config.yml
    expect(await readFile(join(dir, "config.yml"), "utf8")).toContain("databases:");
    const validate = await outpost(["config", "validate"], { cwd: dir });
    expect(validate).toMatchObject({ code: 0, stderr: "" });
    expect(validate.stdout).toStartWith("config.yml is valid; databases: ");
  });

  test("config validate on a bad file exits 2 and points at file:line:column", async () => {
    await writeFile(join(work, "bad.yml"), "gateway:\n  url: 12\n");
    const result = await outpost(["config", "validate", "--config", "bad.yml"]);
    expect(result).toEqual({ code: 2, stdout: "", stderr: "outpost: bad.yml:2:8 gateway.url: must be a string\n" });
  });

  test("encrypt creates a key file; validate decrypts with it and rejects another key", async () => {
    const dir = await mkdtemp(join(work, "encrypt-"));
    // Piped, as `echo … | outpost encrypt --stdin` does (process.stdin gave EBADF here).
    const encrypted = await outpost(["encrypt", "--stdin"], { cwd: dir, input: "s3cr3t-Pa55word!\n" });
    expect(encrypted.code).toBe(0);
    expect(encrypted.stdout).toMatch(/^\{encrypted: 'ov1:[A-Za-z0-9+/=]+'\}\n$/);
    expect(encrypted.stderr).toContain("created secret key file");
    expect(encrypted.stdout + encrypted.stderr).not.toContain("s3cr3t");
    const config = `databases:\n  sales:\n    adapter: postgresql\n    host: db.internal\n    password: ${encrypted.stdout.trim()}\n`;
    await writeFile(join(dir, "config.yml"), config);
    expect(await outpost(["config", "validate"], { cwd: dir })).toEqual({ code: 0, stdout: "config.yml is valid; databases: sales\n", stderr: "" });
    await writeFile(join(dir, "secret.key"), `${Buffer.alloc(32, 1).toString("base64")}\n`);
    const wrongKey = await outpost(["config", "validate"], { cwd: dir });
    expect(wrongKey.code).toBe(2);
    expect(wrongKey.stderr).toContain("config.yml:5:15 databases.sales.password: cannot decrypt: wrong secret key");
  });

  test("dev --check: gateway, agent, a SQLite query on its worker thread and file reads through a real TLS tunnel", async () => {
    const demo = await outpost(["dev", "--check", "--port", "0", "--dir", "demo"]);
    expect(demo.stderr).toBe("");
    expect(demo.code).toBe(0);
    expect(demo.stdout).toContain("ok   200 Query the SQLite database behind the agent");
    expect(demo.stdout).toContain('"rows":[{"name":"Lamp","price":24.5}');
    expect(demo.stdout).toContain("ok   200 Download a file");
  }, 60_000);
});
