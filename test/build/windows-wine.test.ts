/**
 * @module
 * Smoke test of the Windows build under Debian's Wine 8 (installed by .ci/run): the real
 * `outpost-windows-x64.exe`, built here with a test version, runs `--version`, `version`,
 * `--help`, `config init`/`validate`, an `encrypt` round trip and `dev --check` (gateway,
 * agent, SQLite worker thread, TLS tunnel). It proves the exe starts, reaches the command
 * line and does its work; it is not Windows. Wine's setup is test/support/wine.ts. A known
 * Wine-only gap: `fetch` to `localhost` hangs (`outpost dev` uses 127.0.0.1).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expectDemoChecked, REPO } from "../support/binary.ts";
import { startWine, writeProcessPrngForwarder, type Wine, type WineRunOptions } from "../support/wine.ts";

const VERSION = "7.7.7-wine.1";
let out: string;
let exe: string;
let work: string;
let wine: Wine | undefined;

/** Runs the Windows exe under Wine, in `work` unless told otherwise. */
const outpost = (args: string[], options: WineRunOptions = {}) => wine!.run(exe, args, { cwd: work, ...options });

beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), "outpost-wine-"));
  work = await mkdtemp(join(out, "work-"));
  wine = await startWine(out); // first: throws at once when wine is missing
  const build = Bun.spawn(["bun", join(REPO, "build/build.ts"), "--target", "windows-x64", "--out", out, "--version", VERSION], { cwd: REPO, stdout: "ignore", stderr: "inherit" });
  expect(await build.exited).toBe(0);
  exe = join(out, "outpost-windows-x64.exe");
  await writeProcessPrngForwarder(out);
}, 180_000);

afterAll(async () => {
  await wine?.stop();
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
    expect(validate.code).toBe(0);
    // The starter names a gateway it has not been activated with yet: one warning, nothing else.
    expect(validate.stderr.trim().split(/\r?\n/)).toEqual([expect.stringMatching(/^outpost: warning: config\.yml:\d+:\d+ gateway: not activated yet/)]);
    expect(validate.stdout).toStartWith("config.yml is valid (1 warning(s)); databases: ");
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
    expectDemoChecked(await outpost(["dev", "--check", "--port", "0", "--dir", "demo"]));
  }, 60_000);
});
