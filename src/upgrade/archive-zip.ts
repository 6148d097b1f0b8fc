/**
 * @module
 * Takes one file out of a `.zip` (the Windows release): find it in the central directory,
 * then stream its data through inflate (method 8) or copy it (method 0). No zip64: a
 * release binary is far below 4 GiB.
 */
import { createReadStream, createWriteStream } from "node:fs";
import { open } from "node:fs/promises";
import { pipeline } from "node:stream/promises";
import { createInflateRaw } from "node:zlib";

const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;

interface ZipEntry {
  method: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

/** Writes the entry named `name` to `dest`; false when the archive has none. Throws on a malformed zip. */
export async function extractFromZip(archive: string, name: string, dest: string): Promise<boolean> {
  const entry = await findEntry(archive, name);
  if (!entry) return false;
  const file = await open(archive, "r");
  let dataStart: number;
  try {
    const local = await readAt(file, entry.localOffset, 30);
    if (local.readUInt32LE(0) !== LOCAL_SIGNATURE) throw new Error("bad local file header");
    dataStart = entry.localOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
  } finally {
    await file.close();
  }
  if (entry.method !== 0 && entry.method !== 8) throw new Error(`unsupported zip method ${entry.method}`);
  const source = createReadStream(archive, { start: dataStart, end: dataStart + entry.compressedSize - 1 });
  const sink = createWriteStream(dest, { mode: 0o755 });
  if (entry.method === 8) await pipeline(source, createInflateRaw(), sink);
  else await pipeline(source, sink);
  return true;
}

async function findEntry(archive: string, name: string): Promise<ZipEntry | undefined> {
  const file = await open(archive, "r");
  try {
    const { size } = await file.stat();
    // The end record is 22 bytes plus a comment of at most 64 KiB.
    const tailLength = Math.min(size, 22 + 0xffff);
    const tail = await readAt(file, size - tailLength, tailLength);
    let eocd = -1;
    for (let i = tail.length - 22; i >= 0; i--) if (tail.readUInt32LE(i) === EOCD_SIGNATURE) { eocd = i; break; }
    if (eocd < 0) throw new Error("no zip end record");
    const count = tail.readUInt16LE(eocd + 10);
    const directory = await readAt(file, tail.readUInt32LE(eocd + 16), tail.readUInt32LE(eocd + 12));
    let at = 0;
    for (let i = 0; i < count; i++) {
      if (directory.readUInt32LE(at) !== CENTRAL_SIGNATURE) throw new Error("bad central directory");
      const nameLength = directory.readUInt16LE(at + 28);
      const entryName = directory.subarray(at + 46, at + 46 + nameLength).toString("utf8");
      if (entryName.replace(/^(\.\/)+/, "") === name) {
        return { method: directory.readUInt16LE(at + 10), compressedSize: directory.readUInt32LE(at + 20), size: directory.readUInt32LE(at + 24), localOffset: directory.readUInt32LE(at + 42) };
      }
      at += 46 + nameLength + directory.readUInt16LE(at + 30) + directory.readUInt16LE(at + 32);
    }
    return undefined;
  } finally {
    await file.close();
  }
}

async function readAt(file: Awaited<ReturnType<typeof open>>, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await file.read(buffer, 0, length, position);
  if (bytesRead !== length) throw new Error("zip file ends early");
  return buffer;
}
