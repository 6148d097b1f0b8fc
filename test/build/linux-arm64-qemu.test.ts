/**
 * @module
 * The real linux-arm64 executable under Debian's qemu-user-static (installed by .ci/run):
 * not only that it starts, but that the local demo runs on it end to end — gateway and
 * agent in one process, a SQLite query on its worker thread and file reads over a real TLS
 * tunnel. qemu emulates the CPU, not a machine: it proves the arm64 build's code, not its
 * speed.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expectDemoChecked, REPO, runCommand } from "../support/binary.ts";

const VERSION = "7.7.8-arm64.1";
let out: string;
let binary: string;

/** Runs the arm64 binary with the arm64 C library that libc6-arm64-cross installs. */
const arm64 = (args: string[]) => runCommand(["qemu-aarch64-static", "-L", "/usr/aarch64-linux-gnu", binary, ...args], { cwd: out });

beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), "outpost-arm64-"));
  const build = await runCommand(["bun", join(REPO, "build/build.ts"), "--target", "linux-arm64", "--out", out, "--version", VERSION], { cwd: REPO });
  expect(build.code).toBe(0);
  binary = join(out, "outpost-linux-arm64");
}, 120_000);

afterAll(async () => {
  if (out) await rm(out, { recursive: true, force: true });
});

test("the arm64 build reports its version and platform", async () => {
  const result = await arm64(["version"]);
  expect(result).toMatchObject({ code: 0, stderr: "" });
  expect(result.stdout.split("\n")).toEqual([`outpost ${VERSION}`, `bun ${Bun.version}`, "linux/arm64", ""]);
});

test("dev --check on arm64: a SQLite query on its worker thread and file reads through a real TLS tunnel", async () => {
  expectDemoChecked(await arm64(["dev", "--check", "--port", "0", "--dir", "demo"]));
}, 90_000);
