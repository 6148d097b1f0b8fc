/** @module A real temp tree for the files connector tests, with symlinks that stay inside and ones that escape. */
import { mkdirSync, mkdtempSync, realpathSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createCallContext } from "../../../src/connectors/context.ts";
import { LocalFilesConnector } from "../../../src/connectors/files/files-connector.ts";

export interface Tree {
  root: string;
  base: string;
  outside: string;
}

/**
 * base/
 *   a.txt ("hello world"), data/{x.csv,y.csv,z.txt}, data/deep/w.csv, empty/
 *   link-inside -> a.txt, link-etc -> /etc, link-out-dir -> ../outside, link-passwd -> /etc/passwd
 * outside/secret.txt
 */
export function makeTree(): Tree {
  const root = realpathSync(mkdtempSync(join(tmpdir(), "outpost-files-")));
  const base = join(root, "base");
  const outside = join(root, "outside");
  mkdirSync(join(base, "data", "deep"), { recursive: true });
  mkdirSync(join(base, "empty"));
  mkdirSync(outside);
  writeFileSync(join(outside, "secret.txt"), "secret");
  writeFileSync(join(base, "a.txt"), "hello world");
  writeFileSync(join(base, "data", "x.csv"), "x");
  writeFileSync(join(base, "data", "y.csv"), "yy");
  writeFileSync(join(base, "data", "z.txt"), "zzz");
  writeFileSync(join(base, "data", "deep", "w.csv"), "wwww");
  symlinkSync(join(base, "a.txt"), join(base, "link-inside"));
  symlinkSync("/etc", join(base, "link-etc"));
  symlinkSync("../outside", join(base, "link-out-dir"));
  symlinkSync("/etc/passwd", join(base, "link-passwd"));
  return { root, base, outside };
}

export async function connectorFor(base: string, options: { readonly?: boolean; followSymlinks?: boolean } = {}) {
  const connector = new LocalFilesConnector({ base, ...options });
  await connector.init();
  return connector;
}

export const ctx = () => createCallContext({ timeoutMs: 30_000 });

export function streamOf(...chunks: string[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(new TextEncoder().encode(chunk));
      controller.close();
    },
  });
}
