/** @module Builds the `FileEntry` a caller sees from a path and its stats. */
import type { Stats } from "node:fs";
import { lstat, stat } from "node:fs/promises";
import type { FileEntry } from "../connector.ts";

export function toEntry(rel: string, stats: Stats): FileEntry {
  return {
    name: rel.split("/").at(-1) ?? "",
    path: rel,
    size: stats.isDirectory() ? 0 : stats.size,
    mtime: stats.mtime.toISOString(),
    ctime: stats.ctime.toISOString(),
    isDirectory: stats.isDirectory(),
  };
}

/** Stats of the entry itself when symlinks are refused, of its target when they are followed. */
export async function entryAt(abs: string, rel: string, followSymlinks: boolean): Promise<FileEntry> {
  return toEntry(rel, await (followSymlinks ? stat(abs) : lstat(abs)));
}

/** Our own upload temp files, hidden from listings and polls. */
export const TEMP_FILE = /^\..+\.outpost-[0-9a-f]+\.part$/;

export function tempName(name: string): string {
  return `.${name}.outpost-${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}.part`;
}

/** `report.csv` → `report_1.csv`; a leading dot is not an extension (`.env` → `.env_1`). */
export function numberedName(name: string, n: number): string {
  const dot = name.lastIndexOf(".");
  if (dot <= 0) return `${name}_${n}`;
  return `${name.slice(0, dot)}_${n}${name.slice(dot)}`;
}
