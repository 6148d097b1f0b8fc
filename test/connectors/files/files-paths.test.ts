/** @module Path escapes against a real tree: every attempt must end in FORBIDDEN_PATH and touch nothing outside. */
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, rmSync, symlinkSync, renameSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ConnectorError } from "../../../src/connectors/errors.ts";
import { connectorFor, ctx, makeTree, streamOf } from "./files-fixture.ts";

const tree = makeTree();
afterAll(() => rmSync(tree.root, { recursive: true, force: true }));

async function code(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return "ok";
  } catch (error) {
    expect(error).toBeInstanceOf(ConnectorError);
    return (error as ConnectorError).code;
  }
}

const escapes = [
  "..",
  "../outside/secret.txt",
  "data/../../outside/secret.txt",
  "data/deep/../../../outside/secret.txt",
  "./../outside",
  "/etc/passwd",
  "//etc/passwd",
  "/",
  "..\\outside\\secret.txt",
  "data\\..\\..\\outside",
  "C:\\Windows\\win.ini",
  "C:/Windows/win.ini",
  "c:secret.txt",
  "\\\\server\\share\\file",
  "//server/share/file",
  "a.txt\0.png",
  "\0",
  "link-etc/passwd",
  "link-passwd",
  "link-out-dir/secret.txt",
  "link-out-dir",
  "data/../link-etc/hosts",
];

describe("files: path escapes", () => {
  test(`${escapes.length} escape attempts are FORBIDDEN_PATH for read, stat, list and write`, async () => {
    const files = await connectorFor(tree.base, { followSymlinks: true });
    for (const path of escapes) {
      expect({ path, code: await code(files.read({ path }, ctx())) }).toEqual({ path, code: "FORBIDDEN_PATH" });
      expect({ path, code: await code(files.stat(path, ctx())) }).toEqual({ path, code: "FORBIDDEN_PATH" });
      expect({ path, code: await code(files.list({ path }, ctx())) }).toEqual({ path, code: "FORBIDDEN_PATH" });
      expect({ path, code: await code(files.write({ path, body: streamOf("x") }, ctx())) }).toEqual({ path, code: "FORBIDDEN_PATH" });
    }
    expect(await Bun.file(join(tree.outside, "secret.txt")).text()).toBe("secret");
  });

  test("move, rename, mkdir and delete refuse escapes too", async () => {
    const files = await connectorFor(tree.base, { followSymlinks: true });
    expect(await code(files.move("a.txt", "../outside/a.txt", ctx()))).toBe("FORBIDDEN_PATH");
    expect(await code(files.move("../outside/secret.txt", "stolen.txt", ctx()))).toBe("FORBIDDEN_PATH");
    expect(await code(files.rename("a.txt", "../a.txt", ctx()))).toBe("FORBIDDEN_PATH");
    expect(await code(files.rename("a.txt", "sub/a.txt", ctx()))).toBe("BAD_REQUEST");
    expect(await code(files.mkdir("link-out-dir/new", ctx()))).toBe("FORBIDDEN_PATH");
    expect(await code(files.delete("link-out-dir/secret.txt", {}, ctx()))).toBe("FORBIDDEN_PATH");
    expect(await code(files.delete("", { recursive: true }, ctx()))).toBe("FORBIDDEN_PATH");
    expect(await code(files.delete(".", { recursive: true }, ctx()))).toBe("FORBIDDEN_PATH");
    expect(existsSync(join(tree.outside, "secret.txt"))).toBe(true);
    expect(existsSync(join(tree.outside, "new"))).toBe(false);
  });

  test("with follow_symlinks off (the default) any symlink is refused, even one that stays inside", async () => {
    const files = await connectorFor(tree.base);
    expect(await code(files.read({ path: "link-inside" }, ctx()))).toBe("FORBIDDEN_PATH");
    const on = await connectorFor(tree.base, { followSymlinks: true });
    const read = await on.read({ path: "link-inside" }, ctx());
    expect(await new Response(read.body).text()).toBe("hello world");
  });

  test("listing leaves out symlinks that are refused or lead outside", async () => {
    const off = await connectorFor(tree.base);
    expect((await off.list({ path: "" }, ctx())).map((e) => e.name)).toEqual(["a.txt", "data", "empty"]);
    const on = await connectorFor(tree.base, { followSymlinks: true });
    expect((await on.list({ path: "" }, ctx())).map((e) => e.name)).toEqual(["a.txt", "data", "empty", "link-inside"]);
  });

  test("a symlink swapped in at the time of use is seen", async () => {
    const swapBase = join(tree.root, "swap");
    mkdirSync(join(swapBase, "reports"), { recursive: true });
    writeFileSync(join(swapBase, "reports", "secret.txt"), "inside");
    for (const followSymlinks of [false, true]) {
      const files = await connectorFor(swapBase, { followSymlinks });
      expect(await new Response((await files.read({ path: "reports/secret.txt" }, ctx())).body).text()).toBe("inside");
      renameSync(join(swapBase, "reports"), join(swapBase, "reports-old"));
      symlinkSync(tree.outside, join(swapBase, "reports"));
      expect(await code(files.read({ path: "reports/secret.txt" }, ctx()))).toBe("FORBIDDEN_PATH");
      expect(await code(files.write({ path: "reports/planted.txt", body: streamOf("x") }, ctx()))).toBe("FORBIDDEN_PATH");
      rmSync(join(swapBase, "reports"));
      renameSync(join(swapBase, "reports-old"), join(swapBase, "reports"));
    }
    expect(existsSync(join(tree.outside, "planted.txt"))).toBe(false);
  });
});
