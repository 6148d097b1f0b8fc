/**
 * @module
 * End-to-end tests of the compiled `dist/outpost-linux-x64`: what a customer runs. The binary
 * is built here when missing or older than the sources (.ci/run builds it before the tests).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readdirSync, statSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BINARY, REPO, ensureBinary, expectDemoChecked, runBinary, type Run } from "../support/binary.ts";

const { version: VERSION } = JSON.parse(await readFile(join(REPO, "package.json"), "utf8")) as { version: string };

let work: string;

function outpost(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): Promise<Run> {
  return runBinary(args, { cwd: options.cwd ?? work, env: options.env });
}

beforeAll(async () => {
  await ensureBinary();
  work = await mkdtemp(join(tmpdir(), "outpost-e2e-"));
}, 300_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe("outpost binary", () => {
  test("--version prints the version inlined at build time", async () => {
    const run = await outpost(["--version"]);
    expect(run).toMatchObject({ code: 0, stderr: "" });
    // A dev checkout would say "<version>-dev": only the build's define yields the bare version.
    expect(run.stdout.trim()).toBe(VERSION);
  });

  test("version names the Outpost and Bun versions and the platform", async () => {
    const run = await outpost(["version"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`outpost ${VERSION}`);
    expect(run.stdout).toContain(`bun ${Bun.version}`);
    expect(run.stdout).toContain("linux/x64");
  });

  test("--help lists the commands", async () => {
    const run = await outpost(["--help"]);
    expect(run.code).toBe(0);
    for (const command of ["outpost version", "outpost config", "outpost encrypt"]) expect(run.stdout).toContain(command);
  });

  test("config init writes a starter file that config validate accepts", async () => {
    const dir = await mkdtemp(join(work, "init-"));
    expect((await outpost(["config", "init"], { cwd: dir })).code).toBe(0);
    const run = await outpost(["config", "validate"], { cwd: dir });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^(\.\/)?config\.yml is valid/);
  });

  test("config validate on a bad file exits 2 and points at file:line:column", async () => {
    await writeFile(join(work, "bad.yml"), "gateway:\n  url: 12\n");
    const run = await outpost(["config", "validate", "--config", "bad.yml"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/bad\.yml:2:8\b.*gateway\.url/);
  });

  test("a .env file in the working directory is ignored", async () => {
    const dir = await mkdtemp(join(work, "dotenv-"));
    await outpost(["config", "init"], { cwd: dir });
    // The variable matters when it really is in the environment...
    const real = await outpost(["config", "validate"], { cwd: dir, env: { OUTPOST_CONFIG: "/nonexistent/config.yml" } });
    expect(real.code).toBe(2);
    expect(real.stderr).toContain("/nonexistent/config.yml");
    // ...but not when it only sits in ./.env.
    await writeFile(join(dir, ".env"), "OUTPOST_CONFIG=/nonexistent/config.yml\n");
    const run = await outpost(["config", "validate"], { cwd: dir });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^(\.\/)?config\.yml is valid/);
  });

  test("a bunfig.toml in the working directory is ignored", async () => {
    const dir = await mkdtemp(join(work, "bunfig-"));
    await writeFile(join(dir, "bunfig.toml"), 'preload = ["./evil.ts"]\n[run]\npreload = ["./evil.ts"]\n');
    await writeFile(join(dir, "evil.ts"), 'console.log("PRELOADED");\n');
    const run = await outpost(["--version"], { cwd: dir });
    expect(run.code).toBe(0);
    expect(run.stdout + run.stderr).not.toContain("PRELOADED");
  });

  test("the binary does not carry this machine's checkout path", async () => {
    const bytes = await Bun.file(BINARY).bytes();
    expect(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).indexOf(REPO)).toBe(-1);
  });

  test("dev --check runs the demo through a real TLS tunnel and exits 0", async () => {
    expectDemoChecked(await outpost(["dev", "--check", "--port", "0", "--dir", join(work, "demo")]));
  });

  test("gateway serve refuses plain HTTP on a non-loopback address", async () => {
    const run = await outpost(["gateway", "serve", "--host", "0.0.0.0", "--data-dir", join(work, "gw")]);
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
    expect(run.stderr).toContain("refusing plain HTTP on 0.0.0.0");
  });

  test("run without a gateway section says what to do, in one line", async () => {
    const dir = await mkdtemp(join(work, "noact-"));
    await writeFile(join(dir, "config.yml"), "databases:\n  main:\n    adapter: sqlite\n    path: main.db\n");
    const run = await outpost(["run"], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
    expect(run.stderr).toContain("outpost activate");
  });
});
