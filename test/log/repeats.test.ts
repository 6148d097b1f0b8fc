import { describe, expect, test } from "bun:test";
import { RepeatFilter } from "../../src/log/repeats.ts";

describe("RepeatFilter", () => {
  test("the same problem is logged once per window, then with how often it happened meanwhile", () => {
    let clock = 0;
    const filter = new RepeatFilter({ windowMs: 1000, now: () => clock });
    expect(filter.admit("login failed")).toBe(0);
    for (let i = 0; i < 5; i++) expect(filter.admit("login failed")).toBeUndefined();
    clock = 1000;
    expect(filter.admit("login failed")).toBe(5);
    expect(filter.admit("login failed")).toBeUndefined();
  });

  test("a different problem is news at once, and so is the old one after clear()", () => {
    let clock = 0;
    const filter = new RepeatFilter({ windowMs: 1000, now: () => clock });
    expect(filter.admit("a")).toBe(0);
    expect(filter.admit("b")).toBe(0);
    filter.clear();
    expect(filter.admit("b")).toBe(0);
    clock = 10;
    expect(filter.admit("b")).toBeUndefined();
  });
});
