import { describe, expect, test } from "bun:test";
import { FailureLog } from "../../src/log/failure-log.ts";
import { createLogger, type Level } from "../../src/log/logger.ts";

function capture() {
  const lines: { level: Level; msg: string }[] = [];
  const log = createLogger("t", { format: "json", sinks: [{ write: (line: string, level: Level) => lines.push({ level, msg: JSON.parse(line).msg }) }] });
  return { log, lines };
}

describe("FailureLog", () => {
  test("the same problem is logged once per window, then with how often it happened meanwhile", () => {
    let clock = 0;
    const { log, lines } = capture();
    const failures = new FailureLog({ log, now: () => clock, windowMs: 1000 });
    for (let i = 0; i < 6; i++) failures.report("warn", "login failed");
    expect(lines.map((l) => l.msg)).toEqual(["login failed"]);
    clock = 1000;
    failures.report("warn", "login failed");
    expect(lines.map((l) => l.msg)).toEqual(["login failed", "login failed (6 more times in the last 1 s)"]);
  });

  test("a different problem is news at once; clear() reports pending repeats and forgets the cause", () => {
    let clock = 0;
    const { log, lines } = capture();
    const failures = new FailureLog({ log, now: () => clock, windowMs: 1000 });
    failures.report("warn", "a");
    failures.report("error", "b");
    failures.report("error", "b");
    clock = 10;
    failures.clear();
    failures.report("error", "b");
    expect(lines).toEqual([
      { level: "warn", msg: "a" },
      { level: "error", msg: "b" },
      { level: "error", msg: "b (1 more time in the last 1 s)" },
      { level: "error", msg: "b" },
    ]);
  });
});
