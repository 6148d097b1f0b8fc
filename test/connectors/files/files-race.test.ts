/**
 * @module
 * Races on the real file system while the connector works: a folder swapped for a
 * symlink to outside (reads and writes must never reach outside, and leave nothing
 * there), and a file atomically replaced while being read or written (never refused as
 * a forbidden path).
 */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ConnectorError } from "../../../src/connectors/errors.ts";
import { connectorFor, ctx, makeTree, streamOf } from "./files-fixture.ts";
import { startRacer } from "./files-racer.ts";

const tree = makeTree();
afterAll(() => rmSync(tree.root, { recursive: true, force: true }));

type Outcome = { text: string } | { code: string; retryable: boolean };

async function outcome(work: () => Promise<string>): Promise<Outcome> {
  try {
    return { text: await work() };
  } catch (error) {
    if (!(error instanceof ConnectorError)) throw error;
    return { code: error.code, retryable: error.retryable };
  }
}

/** `total` calls, `parallel` at a time. */
async function many(total: number, parallel: number, call: (i: number) => Promise<Outcome>): Promise<Outcome[]> {
  const out: Outcome[] = [];
  for (let i = 0; i < total; i += parallel) {
    out.push(...(await Promise.all(Array.from({ length: Math.min(parallel, total - i) }, (_, j) => call(i + j)))));
  }
  return out;
}

describe("files: races on the real file system", () => {
  test("a folder swapped for a symlink to outside during reads and writes: nothing outside is read or written", async () => {
    const base = join(tree.root, "swap-base");
    mkdirSync(join(base, "box"), { recursive: true });
    writeFileSync(join(base, "box", "f.txt"), "inside");
    writeFileSync(join(tree.outside, "f.txt"), "OUTSIDE");
    symlinkSync(tree.outside, join(base, "decoy"));
    const outsideBefore = readdirSync(tree.outside).sort();
    const racer = await startRacer("exchange", join(base, "box"), join(base, "decoy"));
    try {
      for (const followSymlinks of [false, true]) {
        const files = await connectorFor(base, { followSymlinks });
        const reads = await many(600, 8, () => outcome(async () => await new Response((await files.read({ path: "box/f.txt" }, ctx())).body).text()));
        const writes = await many(300, 8, (i) =>
          outcome(async () => (await files.write({ path: `box/w-${followSymlinks}-${i}.txt`, body: streamOf("planted") }, ctx())).path),
        );
        expect(reads.filter((r) => "text" in r && r.text !== "inside")).toEqual([]);
        expect(reads.filter((r) => "code" in r && r.code !== "FORBIDDEN_PATH" && !r.retryable)).toEqual([]);
        expect(writes.filter((w) => "code" in w && w.code !== "FORBIDDEN_PATH" && !w.retryable)).toEqual([]);
        // The race has to have been run, not dodged: some calls got through.
        expect(reads.some((r) => "text" in r)).toBe(true);
        expect(writes.some((w) => "text" in w)).toBe(true);
      }
    } finally {
      await racer.stop();
    }
    expect(readdirSync(tree.outside).sort()).toEqual(outsideBefore);
    const real = readdirSync(join(base, "box")).length > 1 ? join(base, "box") : join(base, "decoy");
    expect(readdirSync(real).filter((name) => name.endsWith(".part"))).toEqual([]);
  });

  test("a file atomically replaced while being read or written: whole versions or a retryable error, never FORBIDDEN_PATH", async () => {
    const base = join(tree.root, "replace-base");
    mkdirSync(base);
    writeFileSync(join(base, "r.txt"), "version 0 " + "x".repeat(1000));
    const racer = await startRacer("replace", join(base, "r.txt"));
    try {
      for (const followSymlinks of [false, true]) {
        const files = await connectorFor(base, { followSymlinks });
        const reads = await many(600, 8, () => outcome(async () => await new Response((await files.read({ path: "r.txt" }, ctx())).body).text()));
        const writes = await many(200, 4, () => outcome(async () => (await files.write({ path: "r.txt", body: streamOf("ours") }, ctx())).path));
        const bad = [...reads, ...writes].filter((r) => "code" in r && (r.code === "FORBIDDEN_PATH" || !r.retryable));
        expect(bad).toEqual([]);
        for (const read of reads) if ("text" in read) expect(read.text === "ours" || /^version \d+ x{1000}$/.test(read.text)).toBe(true);
        // Most reads see a whole version (the retry covers one replace); how many depends on load.
        expect(reads.filter((r) => "text" in r).length).toBeGreaterThan(300);
      }
    } finally {
      await racer.stop();
    }
  });
});

describe("files: concurrent polls", () => {
  test("4 parallel polls of 300 files claim every file exactly once and leave one name per file", async () => {
    const base = join(tree.root, "poll-base");
    mkdirSync(join(base, "inbox"), { recursive: true });
    for (let i = 0; i < 300; i++) writeFileSync(join(base, "inbox", `f-${i}.csv`), String(i));
    const pollers = await Promise.all(Array.from({ length: 4 }, () => connectorFor(base)));
    const claimed = (await Promise.all(pollers.map((files) => files.poll({ path: "inbox", pattern: "*.csv", limit: 300 }, ctx())))).flat();
    const original = (path: string) => path.replace(/^inbox\//, "").replace(/\.\d{8}T\d{9}Z\.processing$/, "");
    expect(claimed.map((e) => original(e.path)).sort()).toEqual(Array.from({ length: 300 }, (_, i) => `f-${i}.csv`).sort());
    const onDisk = readdirSync(join(base, "inbox"));
    expect(onDisk.length).toBe(300);
    expect(onDisk.every((name) => name.endsWith(".processing"))).toBe(true);
    expect(new Set(onDisk.map(original)).size).toBe(300);
  });
});
