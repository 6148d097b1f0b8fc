/**
 * @module
 * Takes one file out of a `.tar.gz` while streaming (gunzip → a small ustar reader), so
 * the archive never sits in memory. Understands what GNU and BSD tar write for a plain
 * file: ustar headers, GNU long names (`L`) and pax `path` records (`x`).
 */
import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";
import { createGunzip } from "node:zlib";

const BLOCK = 512;

interface Entry {
  /** Our name for the entry; empty for directories, links and metadata records. */
  name: string;
  dataLeft: number;
  padLeft: number;
  /** `L` (GNU long name) or `x` (pax) records name the entry that follows. */
  meta: "L" | "x" | null;
  metaBytes: Buffer[];
}

/** Writes the entry named `name` (any leading `./` ignored) to `dest`; false when the archive has none. */
export async function extractFromTarGz(archive: string, name: string, dest: string): Promise<boolean> {
  const out = await open(dest, "w", 0o755);
  try {
    let pending: Buffer = Buffer.alloc(0);
    let entry: Entry | null = null;
    let overrideName: string | null = null;
    let found = false;
    for await (const chunk of createReadStream(archive).pipe(createGunzip()) as AsyncIterable<Buffer>) {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      while (pending.length > 0) {
        if (entry) {
          const take = Math.min(entry.dataLeft, pending.length);
          const data = pending.subarray(0, take);
          if (entry.meta) entry.metaBytes.push(Buffer.from(data));
          else if (entry.name === name) await out.write(data);
          entry.dataLeft -= take;
          const skip = Math.min(entry.padLeft, pending.length - take);
          entry.padLeft -= skip;
          pending = pending.subarray(take + skip);
          if (entry.dataLeft > 0 || entry.padLeft > 0) break;
          if (entry.meta) overrideName = metaName(entry.meta, Buffer.concat(entry.metaBytes));
          else if (entry.name === name) found = true;
          entry = null;
          continue;
        }
        if (pending.length < BLOCK) break;
        const header = pending.subarray(0, BLOCK);
        pending = pending.subarray(BLOCK);
        if (header.every((byte) => byte === 0)) continue;
        const size = Number.parseInt(text(header, 124, 12).trim() || "0", 8);
        const type = String.fromCharCode(header[156]!);
        const meta = type === "L" ? "L" : type === "x" ? "x" : null;
        const isFile = type === "0" || type === "\0";
        const entryName = isFile ? normalise(overrideName ?? joinPrefix(text(header, 345, 155), text(header, 0, 100))) : "";
        if (!meta) overrideName = null;
        entry = { name: entryName, dataLeft: size, padLeft: (BLOCK - (size % BLOCK)) % BLOCK, meta, metaBytes: [] };
      }
    }
    return found;
  } finally {
    await out.close();
  }
}

function text(block: Buffer, offset: number, length: number): string {
  const field = block.subarray(offset, offset + length);
  const end = field.indexOf(0);
  return field.subarray(0, end === -1 ? length : end).toString("utf8");
}

function joinPrefix(prefix: string, name: string): string {
  return prefix ? `${prefix}/${name}` : name;
}

function normalise(path: string): string {
  return path.replace(/^(\.\/)+/, "");
}

function metaName(kind: "L" | "x", data: Buffer): string | null {
  if (kind === "L") return data.toString("utf8").replace(/\0.*$/s, "");
  const match = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(data.toString("utf8"));
  return match ? match[1]! : null;
}
