/** @module The files operations on a real temp tree: list, stat, ranged reads, uploads, moves, folders, polls, read-only. */
import { afterAll, describe, expect, spyOn, test } from "bun:test";
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createCallContext } from "../../../src/connectors/context.ts";
import { ConnectorError } from "../../../src/connectors/errors.ts";
import { listFolder } from "../../../src/connectors/files/files-list.ts";
import * as paths from "../../../src/connectors/files/files-paths.ts";
import { connectorFor, ctx, makeTree, streamOf } from "./files-fixture.ts";
import { failure } from "../../support/failure.ts";

const tree = makeTree();
afterAll(() => rmSync(tree.root, { recursive: true, force: true }));

const text = async (body: ReadableStream<Uint8Array>) => await new Response(body).text();

describe("files: operations", () => {
  test("list: recursive with a glob on the name, sorted by path, with metadata", async () => {
    const files = await connectorFor(tree.base);
    const entries = await files.list({ path: "data", recursive: true, pattern: "*.csv" }, ctx());
    expect(entries.map((e) => e.path)).toEqual(["data/deep/w.csv", "data/x.csv", "data/y.csv"]);
    const y = entries[2]!;
    expect(y).toMatchObject({ name: "y.csv", size: 2, isDirectory: false });
    expect(new Date(y.mtime).toISOString()).toBe(y.mtime);
    const flat = await files.list({ path: "data" }, ctx());
    expect(flat.map((e) => [e.name, e.isDirectory])).toEqual([["deep", true], ["x.csv", false], ["y.csv", false], ["z.txt", false]]);
    expect((await failure(files.list({ path: "a.txt" }, ctx()))).code).toBe("BAD_REQUEST");
    expect((await failure(files.list({ path: "nope" }, ctx()))).code).toBe("NOT_FOUND");
  });

  test("stat and ranged reads stream only the asked bytes", async () => {
    const files = await connectorFor(tree.base);
    expect(await files.stat("a.txt", ctx())).toMatchObject({ path: "a.txt", size: 11, isDirectory: false });
    const all = await files.read({ path: "a.txt" }, ctx());
    expect([all.length, await text(all.body)]).toEqual([11, "hello world"]);
    const part = await files.read({ path: "a.txt", range: { start: 6, end: 9 } }, ctx());
    expect([part.length, await text(part.body)]).toEqual([4, "worl"]);
    const tail = await files.read({ path: "a.txt", range: { start: 6 } }, ctx());
    expect(await text(tail.body)).toBe("world");
    expect((await failure(files.read({ path: "a.txt", range: { start: 50 } }, ctx()))).code).toBe("BAD_REQUEST");
    expect((await failure(files.read({ path: "data" }, ctx()))).code).toBe("BAD_REQUEST");
    expect((await failure(files.read({ path: "missing.txt" }, ctx()))).code).toBe("NOT_FOUND");
  });

  test("a FIFO under the base is refused at once instead of hanging the open", async () => {
    const files = await connectorFor(tree.base);
    expect(Bun.spawnSync(["mkfifo", join(tree.base, "empty", "pipe")]).exitCode).toBe(0);
    try {
      const error = await failure(files.read({ path: "empty/pipe" }, ctx()));
      expect([error.code, error.message]).toEqual(["BAD_REQUEST", '"empty/pipe" is not a regular file']);
    } finally {
      rmSync(join(tree.base, "empty", "pipe"));
    }
  });

  test("a listing past its entry limit is TOO_LARGE", async () => {
    const options = { base: tree.base, followSymlinks: false, recursive: true, signal: new AbortController().signal };
    expect((await listFolder(join(tree.base, "data"), "data", { ...options, maxEntries: 5 })).length).toBe(5);
    const error = await failure(listFolder(join(tree.base, "data"), "data", { ...options, maxEntries: 4 }));
    expect(error.code).toBe("TOO_LARGE");
  });

  test("a large file streams in chunks", async () => {
    const files = await connectorFor(tree.base);
    writeFileSync(join(tree.base, "big.bin"), new Uint8Array(1_000_000).fill(7));
    const read = await files.read({ path: "big.bin" }, ctx());
    let chunks = 0;
    let bytes = 0;
    for await (const chunk of read.body) {
      chunks++;
      bytes += chunk.byteLength;
    }
    expect([bytes, chunks > 1]).toEqual([1_000_000, true]);
  });

  test("write replaces by default and auto-renames with overwrite: false", async () => {
    const files = await connectorFor(tree.base);
    const first = await files.write({ path: "data/report.csv", body: streamOf("a,", "b\n") }, ctx());
    expect(first).toMatchObject({ path: "data/report.csv", size: 4 });
    await files.write({ path: "data/report.csv", body: streamOf("new") }, ctx());
    expect(await Bun.file(join(tree.base, "data/report.csv")).text()).toBe("new");
    const second = await files.write({ path: "data/report.csv", body: streamOf("2"), overwrite: false }, ctx());
    const third = await files.write({ path: "data/report.csv", body: streamOf("3"), overwrite: false }, ctx());
    expect([second.path, third.path]).toEqual(["data/report_1.csv", "data/report_2.csv"]);
    expect((await failure(files.write({ path: "no-such-folder/f.txt", body: streamOf("x") }, ctx()))).code).toBe("NOT_FOUND");
  });

  test("concurrent uploads with overwrite: false never take the same name", async () => {
    const files = await connectorFor(tree.base);
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => files.write({ path: "empty/same.txt", body: streamOf(`upload ${i}`), overwrite: false }, ctx())),
    );
    const names = new Set(results.map((r) => r.name));
    expect(names.size).toBe(12);
    const contents = new Set(results.map((r) => readFileSync(join(tree.base, r.path), "utf8")));
    expect(contents.size).toBe(12);
    for (const r of results) await files.delete(r.path, {}, ctx());
  });

  test("an upload whose body breaks off halfway leaves no file and no temp file", async () => {
    const files = await connectorFor(tree.base);
    let sent = 0;
    const broken = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 3) return controller.enqueue(new Uint8Array(64 * 1024));
        controller.error(new Error("connection reset"));
      },
    });
    const error = await failure(files.write({ path: "empty/broken.bin", body: broken }, ctx()));
    expect(error.code).toBe("BAD_REQUEST");
    expect(readdirSync(join(tree.base, "empty"))).toEqual([]);
  });

  test("a cancelled upload leaves no file and no temp file", async () => {
    const files = await connectorFor(tree.base);
    const caller = new AbortController();
    const call = createCallContext({ signal: caller.signal, timeoutMs: 30_000 });
    let pulls = 0;
    const endless = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (++pulls === 4) caller.abort();
        await Bun.sleep(1);
        controller.enqueue(new Uint8Array(16 * 1024));
      },
    });
    const error = await failure(files.write({ path: "empty/cancelled.bin", body: endless }, call));
    expect(error.code).toBe("CANCELLED");
    expect(readdirSync(join(tree.base, "empty"))).toEqual([]);
  });

  test("move and rename never replace an existing entry", async () => {
    const files = await connectorFor(tree.base);
    writeFileSync(join(tree.base, "m1.txt"), "one");
    writeFileSync(join(tree.base, "m2.txt"), "two");
    expect((await failure(files.move("m1.txt", "m2.txt", ctx()))).code).toBe("ALREADY_EXISTS");
    expect(await files.move("m1.txt", "data/deep/m1.txt", ctx())).toMatchObject({ path: "data/deep/m1.txt", size: 3 });
    expect(await files.rename("data/deep/m1.txt", "renamed.txt", ctx())).toMatchObject({ path: "data/deep/renamed.txt" });
    expect((await failure(files.rename("m2.txt", "a.txt", ctx()))).code).toBe("ALREADY_EXISTS");
    expect((await failure(files.move("ghost.txt", "g2.txt", ctx()))).code).toBe("NOT_FOUND");
    expect(await files.move("empty", "empty-moved", ctx())).toMatchObject({ isDirectory: true });
    await files.move("empty-moved", "empty", ctx());
  });

  test("rename resolves its source on disk once (in move), not twice", async () => {
    const files = await connectorFor(tree.base);
    writeFileSync(join(tree.base, "once.txt"), "1");
    const spy = spyOn(paths, "resolveSafePath");
    try {
      expect(await files.rename("once.txt", "twice.txt", ctx())).toMatchObject({ path: "twice.txt" });
      const resolved = spy.mock.calls.map((call) => call[1]);
      expect(resolved.filter((path) => path === "once.txt")).toHaveLength(1);
    } finally {
      spy.mockRestore();
    }
    expect((await failure(files.rename("", "x.txt", ctx()))).code).toBe("FORBIDDEN_PATH");
    expect((await failure(files.rename("../x.txt", "y.txt", ctx()))).code).toBe("FORBIDDEN_PATH");
  });

  test("mkdir creates parents and accepts an existing folder; delete respects onlyIfEmpty", async () => {
    const files = await connectorFor(tree.base);
    expect(await files.mkdir("new/a/b", ctx())).toMatchObject({ path: "new/a/b", isDirectory: true });
    expect(await files.mkdir("new/a/b", ctx())).toMatchObject({ isDirectory: true });
    writeFileSync(join(tree.base, "new/a/b/f.txt"), "f");
    expect((await failure(files.delete("new", {}, ctx()))).code).toBe("ALREADY_EXISTS");
    expect((await failure(files.delete("new", { recursive: true, onlyIfEmpty: true }, ctx()))).code).toBe("ALREADY_EXISTS");
    await files.delete("new/a/b/f.txt", {}, ctx());
    await files.delete("new/a/b", { onlyIfEmpty: true }, ctx());
    await files.delete("new", { recursive: true }, ctx());
    expect(existsSync(join(tree.base, "new"))).toBe(false);
    expect((await failure(files.delete("new", {}, ctx()))).code).toBe("NOT_FOUND");
  });

  test("poll renames matching files to .processing and returns them once", async () => {
    const files = await connectorFor(tree.base);
    await files.mkdir("inbox/sub", ctx());
    for (const name of ["inbox/1.csv", "inbox/2.csv", "inbox/skip.txt", "inbox/sub/3.csv"]) writeFileSync(join(tree.base, name), name);
    const taken = await files.poll({ path: "inbox", pattern: "*.csv", recursive: true }, ctx());
    expect(taken.map((e) => e.path.replace(/\.\d{8}T\d{9}Z\./, ".<ts>.")).sort()).toEqual([
      "inbox/1.csv.<ts>.processing",
      "inbox/2.csv.<ts>.processing",
      "inbox/sub/3.csv.<ts>.processing",
    ]);
    expect(existsSync(join(tree.base, "inbox/1.csv"))).toBe(false);
    expect(await files.poll({ path: "inbox", pattern: "*.csv", recursive: true }, ctx())).toEqual([]);
    const peek = await files.poll({ path: "inbox", markProcessing: false }, ctx());
    expect(peek.map((e) => e.name)).toEqual(["skip.txt"]);
  });

  test("a read-only profile refuses every change and still reads", async () => {
    const files = await connectorFor(tree.base, { readonly: true });
    const attempts: Promise<unknown>[] = [
      files.write({ path: "ro.txt", body: streamOf("x") }, ctx()),
      files.move("a.txt", "b.txt", ctx()),
      files.rename("a.txt", "b.txt", ctx()),
      files.mkdir("ro-dir", ctx()),
      files.delete("a.txt", {}, ctx()),
      files.poll({ path: "data" }, ctx()),
    ];
    for (const attempt of attempts) expect((await failure(attempt)).code).toBe("READ_ONLY");
    expect(await text((await files.read({ path: "a.txt" }, ctx())).body)).toBe("hello world");
    expect(existsSync(join(tree.base, "ro.txt"))).toBe(false);
  });
});
