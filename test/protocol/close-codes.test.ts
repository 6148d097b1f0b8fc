/**
 * @module
 * SPEC.md's close-code table and the code agree: the refusals it says are retried every
 * 5 minutes are exactly FINAL_CLOSE_CODES, the one list the handshake (not retryable) and
 * the supervisor (slow retry) both use.
 */
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { FINAL_CLOSE_CODES } from "../../src/protocol/index.ts";
import { REPO } from "../support/binary.ts";

test("the close codes SPEC.md retries every 5 minutes are FINAL_CLOSE_CODES", () => {
  const spec = readFileSync(join(REPO, "src/protocol/SPEC.md"), "utf8");
  const slow = [...spec.matchAll(/^\| (4\d{3}) \| [^|]+ \| ([^|]+) \|$/gm)].filter(([, , retry]) => /every 5 minutes/.test(retry!)).map(([, code]) => Number(code));
  expect(slow.length).toBeGreaterThan(0);
  expect(slow.sort()).toEqual([...FINAL_CLOSE_CODES].sort());
});
