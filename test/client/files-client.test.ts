/** The files client against a real stack: uploads streamed, ranged reads, listings and changes on a temp folder. */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { OutpostConflictError, OutpostPermissionError, type FilesClient } from "../../src/client/index.ts";
import { startStack, type Stack } from "../support/stack.ts";
import { clientFor } from "./support.ts";

let stack: Stack;
let files: FilesClient;
let base: string;

beforeAll(async () => {
  stack = await startStack({
    profiles: (dir) => {
      mkdirSync(join(dir, "share"), { recursive: true });
      writeFileSync(join(dir, "share", "hello.txt"), "hello from the agent\n");
      return `files:\n  share:\n    base: ${join(dir, "share")}\n`;
    },
  });
  const agent = await stack.addAgent("alpha");
  base = join(agent.dir, "share");
  files = clientFor(stack).group("sales").files("share");
});

afterAll(async () => {
  await stack.stop();
});

const MIB = 1024 * 1024;

/** 5 MiB made chunk by chunk as the upload pulls it, never held whole. */
function generated(size: number): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= size) return controller.close();
      const chunk = new Uint8Array(Math.min(64 * 1024, size - sent)).map((_, i) => (sent + i) % 251);
      sent += chunk.byteLength;
      controller.enqueue(chunk);
    },
  });
}

test("a 5 MiB stream uploads, and a range of it reads back", async () => {
  await files.mkdir("in/2026");
  const entry = await files.write("in/2026/big.bin", generated(5 * MIB));
  expect(entry).toMatchObject({ name: "big.bin", path: "in/2026/big.bin", size: 5 * MIB, isDirectory: false });
  const onDisk = readFileSync(join(base, "in/2026/big.bin"));
  expect(onDisk.length).toBe(5 * MIB);
  expect(onDisk[MIB + 7]).toBe((MIB + 7) % 251);

  const part = await files.bytes("in/2026/big.bin", { range: { start: 3 * MIB, end: 3 * MIB + 9 } });
  expect([...part]).toEqual(Array.from({ length: 10 }, (_, i) => (3 * MIB + i) % 251));
  const tail = await files.bytes("in/2026/big.bin", { range: { start: 5 * MIB - 3 } });
  expect([...tail]).toEqual([0, 1, 2].map((i) => (5 * MIB - 3 + i) % 251));

  let streamed = 0;
  for await (const chunk of await files.read("in/2026/big.bin")) streamed += chunk.byteLength;
  expect(streamed).toBe(5 * MIB);

  const stat = await files.stat("in/2026/big.bin");
  expect(stat).toMatchObject({ path: "in/2026/big.bin", size: 5 * MIB, isDirectory: false });
  expect(stat.mtime.getTime()).toBeGreaterThan(0);
  expect((await files.stat("in")).isDirectory).toBe(true);
});

test("strings, bytes and blobs upload; overwrite: false picks a free name", async () => {
  expect((await files.write("note.txt", "first")).size).toBe(5);
  expect(await files.text("note.txt")).toBe("first");
  const second = await files.write("note.txt", new TextEncoder().encode("second"), { overwrite: false });
  expect(second.name).not.toBe("note.txt");
  expect(await files.text(second.path)).toBe("second");
  await files.write("note.txt", new Blob(["third"]));
  expect(readFileSync(join(base, "note.txt"), "utf8")).toBe("third");
});

test("list, with recursion and a pattern", async () => {
  await files.mkdir("reports/deep");
  await files.write("reports/a.csv", "a");
  await files.write("reports/b.txt", "b");
  await files.write("reports/deep/c.csv", "c");
  expect((await files.list()).map((e) => e.name)).toContain("hello.txt");
  expect((await files.list("reports")).map((e) => e.name).sort()).toEqual(["a.csv", "b.txt", "deep"]);
  const csv = await files.list("reports/", { recursive: true, pattern: "*.csv" });
  expect(csv.map((e) => e.path).sort()).toEqual(["reports/a.csv", "reports/deep/c.csv"]);
});

test("move, rename and delete change the disk; conflicts are typed", async () => {
  await files.write("tomove.txt", "m");
  expect((await files.move("tomove.txt", "reports/moved.txt")).path).toBe("reports/moved.txt");
  expect(existsSync(join(base, "tomove.txt"))).toBe(false);
  expect((await files.rename("reports/moved.txt", "renamed.txt")).path).toBe("reports/renamed.txt");
  expect(readFileSync(join(base, "reports/renamed.txt"), "utf8")).toBe("m");

  await files.write("clash.txt", "x");
  const clash = await files.move("clash.txt", "reports/renamed.txt").catch((e: unknown) => e);
  expect(clash).toBeInstanceOf(OutpostConflictError);
  expect(clash).toMatchObject({ code: "ALREADY_EXISTS", status: 409 });

  await files.delete("clash.txt");
  expect(existsSync(join(base, "clash.txt"))).toBe(false);
  const notEmpty = await files.delete("reports", { onlyIfEmpty: true }).catch((e: unknown) => e);
  expect(notEmpty).toMatchObject({ code: "ALREADY_EXISTS" });
  await files.delete("reports", { recursive: true });
  expect(existsSync(join(base, "reports"))).toBe(false);
});

test("poll claims matching files once", async () => {
  await files.mkdir("inbox");
  await files.write("inbox/one.csv", "1");
  await files.write("inbox/skip.txt", "2");
  const claimed = await files.poll("inbox", { pattern: "*.csv" });
  expect(claimed.length).toBe(1);
  expect(claimed[0]!.name).toMatch(/^one\.csv\..*\.processing$/);
  expect(await files.poll("inbox", { pattern: "*.csv" })).toEqual([]);
});

test("names with spaces and unicode survive the path encoding; escapes are refused", async () => {
  await files.mkdir("dir with space");
  await files.write("dir with space/ünï #1.txt", "ok");
  expect(await files.text("dir with space/ünï #1.txt")).toBe("ok");
  expect(readFileSync(join(base, "dir with space", "ünï #1.txt"), "utf8")).toBe("ok");
  // Refused by the client before any request: a URL would resolve ".." into another route.
  const escape = await files.text("../../etc/passwd").catch((e: unknown) => e);
  expect(escape).toBeInstanceOf(OutpostPermissionError);
  expect(escape).toMatchObject({ code: "FORBIDDEN_PATH", status: 0 });
  for (const attempt of [() => files.move("../x", "y"), () => files.delete("a/../../b"), () => files.list("..")]) {
    expect(await attempt().catch((e: unknown) => e)).toMatchObject({ code: "FORBIDDEN_PATH" });
  }
  // An encoded escape reaches the agent as one literal name, which it refuses itself.
  const encoded = await files.text("..%2F..%2Fetc%2Fpasswd").catch((e: unknown) => e);
  expect(encoded).toMatchObject({ code: "NOT_FOUND", status: 404 });
});
