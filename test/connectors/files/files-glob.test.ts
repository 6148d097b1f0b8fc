/** @module File-name globs: the documented syntax, limits that answer BAD_REQUEST, and patterns built to make a backtracking matcher hang. */
import { describe, expect, test } from "bun:test";
import { ConnectorError } from "../../../src/connectors/errors.ts";
import { MAX_ALTERNATIVES, MAX_PATTERN_LENGTH, globMatcher, matchesGlob } from "../../../src/connectors/glob.ts";

function refusal(glob: string): ConnectorError {
  try {
    globMatcher(glob);
  } catch (error) {
    expect(error).toBeInstanceOf(ConnectorError);
    return error as ConnectorError;
  }
  throw new Error(`pattern ${glob.slice(0, 40)} was accepted`);
}

describe("globs", () => {
  test("syntax: *, ?, classes with ranges and negation, {a,b}, literal unclosed [ and {", () => {
    const cases: Array<[string, string, boolean]> = [
      ["*.csv", "a.csv", true],
      ["*.csv", "a.csv.bak", false],
      ["*.csv", ".csv", true],
      ["report-??.txt", "report-07.txt", true],
      ["report-??.txt", "report-7.txt", false],
      ["[a-c]x", "bx", true],
      ["[a-c]x", "dx", false],
      ["[!a-c]x", "dx", true],
      ["[^a-c]x", "ax", false],
      ["[]]", "]", true],
      ["[!]]", "a", true],
      ["[!]]", "]", false],
      ["[a-]", "-", true],
      ["[.]", ".", true],
      ["[\\]", "\\", true],
      ["{in,out}-*", "out-1", true],
      ["{in,out}-*", "up-1", false],
      ["x{a,{b,c}d}", "xcd", true],
      ["x{a,{b,c}d}", "xc", false],
      ["{[,],x}y", ",y", true],
      ["a{}b", "ab", true],
      ["a(1).csv", "a(1).csv", true],
      ["a+b$^.|", "a+b$^.|", true],
      ["[abc", "[abc", true],
      ["[abc", "a", false],
      ["*.{csv", "x.{csv", true],
      ["*.{csv", "x.csv", false],
      ["a}b,c", "a}b,c", true],
      ["*", "a/b", false],
      ["a?b", "a/b", false],
      ["a[!x]b", "a/b", false],
      ["a/*", "a/b", true],
      ["CSV", "csv", false],
      ["**x", "abx", true],
      ["*a*b*c", "xaybzc", true],
      ["*a*b*c", "xaybzcq", false],
    ];
    for (const [glob, name, expected] of cases) expect({ glob, name, match: matchesGlob(name, glob) }).toEqual({ glob, name, match: expected });
    expect(matchesGlob("anything", undefined)).toBe(true);
    expect(matchesGlob("anything", "")).toBe(true);
  });

  test("280 stars and a Q against long names finish, and answer correctly", () => {
    const heavy = globMatcher("*".repeat(200) + "Q");
    expect(heavy("a".repeat(5000))).toBe(false);
    expect(heavy("a".repeat(5000) + "Q")).toBe(true);
    // The probe's pattern is over the length limit and refused up front.
    expect(refusal("*".repeat(280) + "Q").code).toBe("BAD_REQUEST");
    const stars = globMatcher("*a".repeat(120) + "Q");
    expect(stars("a".repeat(4000))).toBe(false);
    expect(stars("a".repeat(4000) + "Q")).toBe(true);
    const mixed = globMatcher("*?*[a-z]*".repeat(12) + "{a,b}!");
    expect(mixed("ab".repeat(3000))).toBe(false);
    expect(mixed("ab".repeat(3000) + "!")).toBe(true);
  });

  test("limits: a long pattern or a brace bomb is BAD_REQUEST naming the limit", () => {
    const long = refusal("a".repeat(MAX_PATTERN_LENGTH + 1));
    expect([long.code, long.message]).toEqual(["BAD_REQUEST", `pattern is longer than the limit of ${MAX_PATTERN_LENGTH} characters`]);
    expect(globMatcher("a".repeat(MAX_PATTERN_LENGTH))("a".repeat(MAX_PATTERN_LENGTH))).toBe(true);
    const bomb = refusal("{a,b}".repeat(10));
    expect(bomb.code).toBe("BAD_REQUEST");
    expect(bomb.message).toContain(`${MAX_ALTERNATIVES} alternatives`);
    expect(refusal("[z-a]").code).toBe("BAD_REQUEST");
    expect(globMatcher("{a,b}".repeat(6))("abbaab")).toBe(true);
  });
});
