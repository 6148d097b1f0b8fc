/**
 * @module
 * Streams one release file to disk while hashing it: memory stays flat however large
 * the binary. The size and sha256 must match the signed manifest, else the file is removed.
 */
import { createHash } from "node:crypto";
import { open, rm } from "node:fs/promises";
import { UpgradeError } from "./errors.ts";
import { get, type HttpOptions } from "./http.ts";
import type { ManifestFile } from "./manifest.ts";
import { createProgress } from "./progress.ts";

export interface DownloadOptions extends HttpOptions {
  /** Shows progress; defaults to a bar on a terminal, plain lines otherwise. */
  tty?: boolean;
  write?: (text: string) => void;
}

/** Downloads `url` to `path` and checks it against `expected`. Leaves no file behind on failure. */
export async function downloadVerified(url: string, path: string, expected: ManifestFile, options: DownloadOptions): Promise<void> {
  try {
    await streamToFile(url, path, expected, options);
  } catch (error) {
    await rm(path, { force: true });
    throw error;
  }
}

async function streamToFile(url: string, path: string, expected: ManifestFile, options: DownloadOptions): Promise<void> {
  const response = await get(url, options);
  const hash = createHash("sha256");
  const progress = createProgress({ total: expected.size, label: `downloading ${expected.file}`, tty: options.tty, write: options.write });
  const file = await openForWrite(path);
  let received = 0;
  try {
    const reader = response.body!.getReader();
    for (;;) {
      const { done, value } = await readChunk(reader, url);
      if (done) break;
      received += value.length;
      if (received > expected.size) {
        await reader.cancel();
        throw new UpgradeError("CHECKSUM_MISMATCH", `${expected.file} is larger than the manifest's ${expected.size} bytes; nothing was changed`);
      }
      hash.update(value);
      await writeAll(file, value);
      progress.update(received);
    }
    await file.sync();
  } finally {
    progress.done();
    await file.close();
  }
  if (received !== expected.size) {
    throw new UpgradeError("CHECKSUM_MISMATCH", `${expected.file} has ${received} bytes, the manifest says ${expected.size} (truncated download?); nothing was changed`);
  }
  const actual = hash.digest("hex");
  if (actual !== expected.sha256) {
    throw new UpgradeError("CHECKSUM_MISMATCH", `${expected.file} has sha256 ${actual}, the manifest says ${expected.sha256}; nothing was changed`);
  }
}

async function readChunk(reader: { read(): Promise<{ done: true; value?: undefined } | { done: false; value: Uint8Array }> }, url: string) {
  try {
    return await reader.read();
  } catch (cause) {
    throw new UpgradeError("DOWNLOAD_FAILED", `download of ${url} broke off: ${(cause as Error).message}; nothing was changed`, { cause });
  }
}

async function openForWrite(path: string) {
  try {
    return await open(path, "w", 0o600);
  } catch (cause) {
    throw notWritable(cause);
  }
}

async function writeAll(file: Awaited<ReturnType<typeof open>>, bytes: Uint8Array) {
  try {
    await file.write(bytes);
  } catch (cause) {
    throw notWritable(cause);
  }
}

/** Maps an fs error (ENOSPC, EROFS, EACCES) to NOT_WRITABLE with a readable reason. */
export function notWritable(cause: unknown): UpgradeError {
  const code = (cause as NodeJS.ErrnoException).code;
  const reason = code === "ENOSPC" ? "no space left on the device" : code === "EROFS" ? "read-only file system" : code === "EACCES" || code === "EPERM" ? "permission denied" : String((cause as Error).message);
  return new UpgradeError("NOT_WRITABLE", `cannot write beside the binary (${reason}); nothing was changed`, { cause });
}
