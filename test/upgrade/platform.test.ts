/** @module Which release target `outpost upgrade` fetches: the libc the running process really uses. */
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { currentTarget, isMusl } from "../../src/upgrade/platform.ts";

test("this glibc process picks the glibc build, whether or not musl's loader is installed beside glibc", () => {
  expect(readFileSync("/proc/self/maps", "utf8")).toMatch(/libc\.so\.6/);
  expect(isMusl()).toBe(false);
  // On a machine with Debian's musl package (/lib/ld-musl-*) this used to pick the musl build.
  expect(currentTarget("linux", "x64")).toBe("linux-x64");
});

test("a process with musl's loader mapped is musl", () => {
  const alpine = "7f1c2a000000-7f1c2a014000 r--p 00000000 08:01 1234 /lib/ld-musl-x86_64.so.1\n";
  const debian = "7f1c2a000000-7f1c2a014000 r--p 00000000 08:01 1234 /usr/lib/x86_64-linux-gnu/libc.so.6\n";
  expect(isMusl(() => alpine)).toBe(true);
  expect(isMusl(() => debian)).toBe(false);
});

test("other platforms", () => {
  expect(currentTarget("win32", "x64")).toBe("windows-x64");
  expect(currentTarget("linux", "ia32")).toBeUndefined();
  expect(currentTarget("freebsd", "x64")).toBeUndefined();
});
