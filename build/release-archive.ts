/**
 * @module
 * Release archives: `.tar.gz` holding `outpost` (made with the system's tar, owner root,
 * mode 0755) and `.zip` holding `outpost.exe` (written here: one deflated entry needs no
 * zip tool on the release machine).
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { crc32, deflateRawSync } from "node:zlib";

/** Writes `out` (.tar.gz) with `binary` inside as `outpost`. */
export function writeTarGz(binary: string, out: string): void {
  const staging = mkdtempSync(join(tmpdir(), "outpost-release-"));
  try {
    copyFileSync(binary, join(staging, "outpost"));
    chmodSync(join(staging, "outpost"), 0o755);
    const tar = spawnSync("tar", ["-czf", out, "--owner=0", "--group=0", "--numeric-owner", "-C", staging, "outpost"], { encoding: "utf8" });
    if (tar.status !== 0) throw new Error(`tar failed: ${tar.stderr || tar.error?.message}`);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** Writes `out` (.zip) with `binary` inside as `name` (deflated). */
export function writeZip(binary: string, out: string, name = "outpost.exe"): void {
  const data = readFileSync(binary);
  const packed = deflateRawSync(data);
  const fileName = Buffer.from(name, "utf8");
  const crc = crc32(data);
  // Fixed DOS timestamp (1980-01-01 00:00): the same input gives the same archive.
  const dosTime = 0;
  const dosDate = (0 << 9) | (1 << 5) | 1;

  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4); // version needed: 2.0 (deflate)
  local.writeUInt16LE(0x0800, 6); // UTF-8 names
  local.writeUInt16LE(8, 8);
  local.writeUInt16LE(dosTime, 10);
  local.writeUInt16LE(dosDate, 12);
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(packed.length, 18);
  local.writeUInt32LE(data.length, 22);
  local.writeUInt16LE(fileName.length, 26);

  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE((3 << 8) | 20, 4); // made by Unix, so the mode below is read
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(0x0800, 8);
  central.writeUInt16LE(8, 10);
  central.writeUInt16LE(dosTime, 12);
  central.writeUInt16LE(dosDate, 14);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(packed.length, 20);
  central.writeUInt32LE(data.length, 24);
  central.writeUInt16LE(fileName.length, 28);
  central.writeUInt32LE(((0o100755 << 16) >>> 0), 38);
  central.writeUInt32LE(0, 42); // local header offset

  const directoryOffset = local.length + fileName.length + packed.length;
  const directorySize = central.length + fileName.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(directorySize, 12);
  end.writeUInt32LE(directoryOffset, 16);
  writeFileSync(out, Buffer.concat([local, fileName, packed, central, fileName, end]));
}
