/** @module Tests of the layering check on small source trees written to a temp folder, and on this repository. */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { checkLayers, formatViolation } from "../../build/layer-rules.ts";

const REPO = resolve(import.meta.dir, "../..");
const roots: string[] = [];

afterAll(async () => {
  for (const root of roots) await rm(root, { recursive: true, force: true });
});

async function tree(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), "outpost-layers-"));
  roots.push(root);
  for (const [path, code] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), code);
  }
  return root;
}

async function lines(files: Record<string, string>): Promise<string[]> {
  return (await checkLayers({ root: await tree(files) })).map(formatViolation);
}

const CLEAN = {
  "src/protocol/frame.ts": "export const A = 1;\n",
  "src/log/logger.ts": "export const log = () => {};\n",
  "src/tunnel/session.ts": '/** uses ../gateway/x.ts only in this comment */\nimport { A } from "../protocol/frame.ts";\nexport const s = A;\n',
  "src/gateway/server.ts": 'import { s } from "../tunnel/session.ts";\nimport { log } from "../log/logger.ts";\nexport const g = [s, log];\n',
  "src/cli/main.ts": '#!/usr/bin/env bun\nimport { g } from "../gateway/server.ts";\nconst pg = await import("../connectors/postgres/pg.ts");\nconsole.log(g, pg);\n',
  "src/connectors/postgres/pg.ts": 'import postgres from "postgres";\nexport default postgres;\n',
};

describe("checkLayers", () => {
  test("a clean tree has no violations", async () => {
    expect(await lines(CLEAN)).toEqual([]);
  });

  test("a forbidden import is reported with file, line and rule", async () => {
    const found = await lines({
      ...CLEAN,
      "src/gateway/y.ts": "export const y = 1;\n",
      "src/tunnel/x.ts": '// tunnel file\nimport { A } from "../protocol/frame.ts";\nimport { y } from "../gateway/y.ts";\nexport const x = [A, y];\n',
    });
    expect(found).toEqual(["src/tunnel/x.ts:3 imports src/gateway/y.ts: tunnel may import only protocol"]);
  });

  test("type-only imports, re-exports and dynamic imports count too", async () => {
    const found = await lines({
      ...CLEAN,
      "src/protocol/a.ts": 'import type { Logger } from "../log/logger.ts";\nexport type L = Logger;\n',
      "src/protocol/b.ts": 'export { log } from "../log/logger.ts";\n',
      "src/crypto/c.ts": 'export async function f() {\n  return await import("../config/types.ts");\n}\n',
    });
    expect(found).toEqual([
      "src/crypto/c.ts:2 imports src/config/types.ts: crypto may import only log",
      "src/protocol/a.ts:1 imports type from src/log/logger.ts: protocol may import nothing of ours",
      "src/protocol/b.ts:1 imports src/log/logger.ts: protocol may import nothing of ours",
    ]);
  });

  test("files outside a known room and code imported from outside src/ are reported", async () => {
    const found = await lines({
      ...CLEAN,
      "src/index.ts": "export {};\n",
      "src/misc/m.ts": "export {};\n",
      "src/log/v.ts": 'import pkg from "../../package.json";\nimport { b } from "../../build/b.ts";\nexport const v = [pkg, b];\n',
    });
    expect(found).toEqual([
      "src/index.ts:1 is outside every room: put it in a folder under src/",
      "src/log/v.ts:2 imports build/b.ts: src/ may not import code from outside src/",
      'src/misc/m.ts:1 is in unknown room "misc": add the room to build/layers.ts and docs/architecture.md',
    ]);
  });

  test("a file the transpiler cannot read is reported, not skipped", async () => {
    const found = await lines({ ...CLEAN, "src/log/broken.ts": "export const = ;\n" });
    expect(found).toHaveLength(1);
    expect(found[0]).toStartWith("src/log/broken.ts:1 does not parse: ");
  });

  test("database drivers are imported statically only inside a backend folder", async () => {
    const found = await lines({
      ...CLEAN,
      "src/agent/a.ts": 'import mysql from "mysql2/promise";\nexport const m = mysql;\n',
      "src/connectors/registry.ts": 'import * as tedious from "tedious";\nexport const t = tedious;\n',
      "src/connectors/lazy.ts": 'export const load = () => import("tedious");\n',
    });
    expect(found).toEqual([
      "src/agent/a.ts:1 imports mysql2 statically: database drivers are imported only in src/connectors/<backend>/ (elsewhere use await import())",
      "src/connectors/registry.ts:1 imports tedious statically: database drivers are imported only in src/connectors/<backend>/ (elsewhere use await import())",
    ]);
  });

  test("a backend folder reached from the CLI entry by static imports is reported at the crossing", async () => {
    const found = await lines({
      ...CLEAN,
      "src/cli/main.ts": 'import { all } from "../connectors/registry.ts";\nconsole.log(all);\n',
      "src/connectors/registry.ts": '// every backend\nimport pg from "./postgres/pg.ts";\nexport const all = [pg];\n',
    });
    expect(found).toEqual([
      "src/connectors/registry.ts:2 loads postgres at start-up (src/cli/main.ts → src/connectors/registry.ts → src/connectors/postgres/pg.ts → postgres): enter src/connectors/<backend>/ with await import()",
    ]);
  });
});

describe("bun run check:layers", () => {
  test("exits 1 and prints one line per violation", async () => {
    const root = await tree({ ...CLEAN, "src/log/bad.ts": 'import { A } from "../protocol/frame.ts";\nexport const b = A;\n' });
    const proc = Bun.spawn(["bun", join(REPO, "build/check-layers.ts"), root], { stdout: "pipe", stderr: "pipe" });
    const [stderr, code] = await Promise.all([new Response(proc.stderr).text(), proc.exited]);
    expect(code).toBe(1);
    expect(stderr).toContain("src/log/bad.ts:1 imports src/protocol/frame.ts: log may import nothing of ours\n");
  });

  test("this repository passes", async () => {
    const proc = Bun.spawn(["bun", join(REPO, "build/check-layers.ts")], { stdout: "pipe", stderr: "pipe" });
    const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toContain("no violations");
  });
});
