/**
 * @module
 * Streams a file or a byte range of it without reading it whole. The file is opened once
 * (with `O_NOFOLLOW` when symlinks are refused) and the descriptor checked for where it
 * really is (files-opened.ts) before a byte is read; the stream then reads from that
 * descriptor only. `O_NONBLOCK` keeps a FIFO planted under the base from hanging the open;
 * anything but a regular file is refused.
 */
import { constants } from "node:fs";
import { open } from "node:fs/promises";
import type { FileEntry, ReadRequest } from "../connector.ts";
import { abortReason } from "../context.ts";
import { ConnectorError } from "../errors.ts";
import { toEntry } from "./files-entry.ts";
import { checkOpened, type CheckOptions } from "./files-opened.ts";

const CHUNK = 64 * 1024;

export async function openRange(
  abs: string,
  rel: string,
  range: ReadRequest["range"],
  options: CheckOptions & { signal: AbortSignal },
): Promise<{ entry: FileEntry; length: number; body: ReadableStream<Uint8Array> }> {
  const flags = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (options.followSymlinks ? 0 : (constants.O_NOFOLLOW ?? 0));
  const handle = await open(abs, flags);
  try {
    const stats = await handle.stat();
    await checkOpened(handle, stats, abs, rel, options);
    if (stats.isDirectory()) throw new ConnectorError("BAD_REQUEST", `"${rel}" is a folder; list it instead`);
    if (!stats.isFile()) throw new ConnectorError("BAD_REQUEST", `"${rel}" is not a regular file`);
    const { start, end } = checkRange(range, stats.size);
    const length = end - start;
    let position = start;
    let closed: Promise<void> | undefined;
    const close = () => (closed ??= handle.close());
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (options.signal.aborted) {
          await close();
          return controller.error(abortReason(options.signal));
        }
        const want = Math.min(CHUNK, end - position);
        const buffer = new Uint8Array(want);
        const { bytesRead } = want > 0 ? await handle.read(buffer, 0, want, position) : { bytesRead: 0 };
        position += bytesRead;
        if (bytesRead > 0) controller.enqueue(buffer.subarray(0, bytesRead));
        // A file that shrank while being read ends early rather than hanging.
        if (bytesRead === 0 || position >= end) {
          await close();
          controller.close();
        }
      },
      async cancel() {
        await close();
      },
    });
    return { entry: toEntry(rel, stats), length, body };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/** Inclusive HTTP-style range → half-open [start, end). */
function checkRange(range: ReadRequest["range"], size: number): { start: number; end: number } {
  if (!range) return { start: 0, end: size };
  const { start } = range;
  const last = range.end === undefined ? size - 1 : Math.min(range.end, size - 1);
  if (!Number.isSafeInteger(start) || start < 0 || (range.end !== undefined && (!Number.isSafeInteger(range.end) || range.end < start))) {
    throw new ConnectorError("BAD_REQUEST", "invalid byte range", { details: { size } });
  }
  if (start >= size) throw new ConnectorError("BAD_REQUEST", "the byte range starts past the end of the file", { details: { size } });
  return { start, end: last + 1 };
}
