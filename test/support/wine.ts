/**
 * @module
 * Running the Windows build under Debian's Wine 8 (installed by .ci/run): a throwaway
 * prefix with one persistent wineserver, and the small bcryptprimitives.dll that Bun's
 * Windows runtime needs beside the exe. Wine is not Windows; see docs/development.md for
 * what it proves and its known gaps (`fetch` to `localhost` hangs: use 127.0.0.1).
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";

export interface WineRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface WineRunOptions {
  /** Working directory. Defaults to the prefix's parent folder. */
  readonly cwd?: string;
  /** Added to the environment; `OUTPOST_CONFIG` is cleared unless given here. */
  readonly env?: Record<string, string>;
  /** Written to the exe's stdin through a pipe. Defaults to no stdin. */
  readonly input?: string;
}

export interface Wine {
  /** WINEPREFIX and friends, for commands run outside {@link Wine.run}. */
  readonly env: Readonly<Record<string, string>>;
  /** Runs `exe` (a Linux path) under Wine to completion. */
  run(exe: string, args: readonly string[], options?: WineRunOptions): Promise<WineRun>;
  /** Kills the wineserver and everything it still runs. */
  stop(): Promise<void>;
}

/**
 * Creates a Wine prefix at `<dir>/prefix` and starts its server and services once, so each
 * run does not start them again (they would keep its output pipes open ~3 s). Throws when
 * wine is not installed.
 */
export async function startWine(dir: string): Promise<Wine> {
  if (!Bun.which("wine")) throw new Error("wine is not installed: apt-get install wine wine64 (.ci/run installs it)");
  // No Mono or Gecko install prompts; Wine's own diagnostics off.
  const env = { WINEPREFIX: join(dir, "prefix"), WINEDEBUG: "-all", WINEDLLOVERRIDES: "mscoree,mshtml=" };
  await mkdir(env.WINEPREFIX, { recursive: true }); // the server needs the prefix folder to exist
  // No pipes: the daemons these leave behind would hold them open.
  const detached = (cmd: string[]) => Bun.spawn(cmd, { cwd: dir, env: { ...process.env, ...env }, stdio: ["ignore", "ignore", "ignore"] }).exited;
  if ((await detached(["wineserver", "--persistent"])) !== 0) throw new Error("wineserver --persistent failed");
  if ((await detached(["wineboot", "--init"])) !== 0) throw new Error("wineboot --init failed");
  return {
    env,
    run: (exe, args, options = {}) => runWine(["wine", exe, ...args], { ...options, cwd: options.cwd ?? dir, env: { ...env, ...options.env } }),
    stop: async () => void (await detached(["wineserver", "--kill"])),
  };
}

async function runWine(cmd: string[], options: WineRunOptions & { cwd: string }): Promise<WineRun> {
  const env: Record<string, string | undefined> = { ...process.env, ...options.env };
  if (!options.env?.OUTPOST_CONFIG) delete env.OUTPOST_CONFIG;
  const proc = Bun.spawn(cmd, { cwd: options.cwd, env, stdin: options.input === undefined ? "ignore" : "pipe", stdout: "pipe", stderr: "pipe" });
  if (options.input !== undefined) {
    proc.stdin!.write(options.input);
    await proc.stdin!.end();
  }
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, stdout, stderr };
}

/** Writes the ProcessPrng forwarder as `<dir>/bcryptprimitives.dll`, where the loader looks first for an exe in `dir`. */
export async function writeProcessPrngForwarder(dir: string): Promise<void> {
  await writeFile(join(dir, "bcryptprimitives.dll"), processPrngForwarder());
}

/**
 * A DLL named bcryptprimitives.dll whose one export, ProcessPrng, forwards to
 * advapi32.SystemFunction036 (RtlGenRandom: same arguments, fills the buffer with random
 * bytes). Bun's Windows runtime imports ProcessPrng, which Wine 8 lacks, so without this the
 * exe does not load. Written as bytes so no MinGW toolchain is needed.
 */
export function processPrngForwarder(): Uint8Array {
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
