/**
 * `outpost run` in the plain form service managers use (`run`, `--config PATH`,
 * `--config=PATH`, `--debug`) starts the agent without loading yargs (see
 * src/cli/commands/run.ts); every other form still goes through yargs. Both must answer
 * the same way, on the compiled binary.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureBinary, runBinary } from "../support/binary.ts";

let dir: string;

beforeAll(async () => {
  await ensureBinary();
  dir = await mkdtemp(join(tmpdir(), "outpost-run-plain-"));
  await writeFile(join(dir, "unactivated.yml"), "databases:\n  main:\n    adapter: sqlite\n    path: main.db\n");
  await writeFile(join(dir, "bad.yml"), "databases:\n  main:\n    adapter: oracle\n");
}, 120_000);

describe("outpost run without yargs", () => {
  test("--config PATH, --config=PATH and $OUTPOST_CONFIG name the file; its problems come back in one line", async () => {
    for (const args of [["run", "--config", "bad.yml"], ["run", "--config=bad.yml"], ["run", "--debug", "--config", "bad.yml"]]) {
      const run = await runBinary(args, { cwd: dir });
      expect({ args, code: run.code }).toEqual({ args, code: 2 });
      expect(run.stderr).toContain("bad.yml:3:14 databases.main.adapter: must be one of");
    }
    const fromEnv = await runBinary(["run"], { cwd: dir, env: { OUTPOST_CONFIG: join(dir, "unactivated.yml") } });
    expect(fromEnv.code).toBe(2);
    expect(fromEnv.stderr.trim().split("\n")).toHaveLength(1);
    expect(fromEnv.stderr).toContain("outpost activate");
  });

  test("a missing file is a usage error naming it", async () => {
    const run = await runBinary(["run", "--config", "nope.yml"], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toStartWith("outpost: nope.yml: config file not found");
  });

  test("--debug adds the stack trace; without it there is none", async () => {
    const plain = await runBinary(["run", "--config", "unactivated.yml"], { cwd: dir });
    const debug = await runBinary(["run", "--config", "unactivated.yml", "--debug"], { cwd: dir });
    expect(plain.stderr).not.toContain("    at ");
    expect(debug.stderr).toContain("    at ");
  });

  test("other forms still go through yargs: help, unknown flags, a flag without its value", async () => {
    const help = await runBinary(["run", "--help"], { cwd: dir });
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("Run the agent");
    const unknown = await runBinary(["run", "--bogus"], { cwd: dir });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("Unknown argument: bogus");
    const noValue = await runBinary(["run", "--config"], { cwd: dir });
    expect(noValue.code).not.toBe(0);
  });
});
