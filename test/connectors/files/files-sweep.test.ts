import { expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sweepStaleUploads } from "../../../src/connectors/files/files-sweep.ts";

test("stale upload temp files are removed at any depth; fresh ones and other files stay", async () => {
  const base = mkdtempSync(join(tmpdir(), "outpost-sweep-"));
  mkdirSync(join(base, "a", "b"), { recursive: true });
  const stale = join(base, "a", "b", ".report.csv.outpost-0123456789abcdef.part");
  const fresh = join(base, ".live.bin.outpost-fedcba9876543210.part");
  const lookalike = join(base, "a", "notes.part");
  for (const path of [stale, fresh, lookalike]) writeFileSync(path, "x");
  const twoHoursAgo = (Date.now() - 2 * 3_600_000) / 1000;
  utimesSync(stale, twoHoursAgo, twoHoursAgo);
  utimesSync(lookalike, twoHoursAgo, twoHoursAgo);
  expect(await sweepStaleUploads(base)).toBe(1);
  expect(existsSync(stale)).toBe(false);
  expect(existsSync(fresh)).toBe(true);
  expect(existsSync(lookalike)).toBe(true);
});
