/**
 * `outpost service install` from the compiled binary: with no --binary the unit runs the
 * binary itself (its real path).
 */
import { beforeAll, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BINARY, ensureBinary, runBinary } from "../support/binary.ts";
import { tempDir } from "../cli/run-cli.ts";

beforeAll(async () => {
  await ensureBinary();
}, 300_000);

test("the compiled binary installs a unit that runs itself", async () => {
  const dir = tempDir("outpost-service-bin-");
  const config = join(dir, "config.yml");
  writeFileSync(config, "agent:\n  shutdown_grace: 10\n");
  const run = await runBinary(["service", "install", "--config", config, "--unit-dir", join(dir, "units"), "--no-start"]);
  // The fixture lives under /tmp, which the unit's PrivateTmp=yes hides: that warning only.
  expect(run.stderr.split("\n").filter((line) => line && !line.includes("PrivateTmp=yes"))).toEqual([]);
  expect(run.code).toBe(0);
  const unit = readFileSync(join(dir, "units", "outpost.service"), "utf8");
  expect(unit).toContain(`ExecStart=${BINARY} run --config ${config}\n`);
  expect(unit).toContain("TimeoutStopSec=25\n");
});
