/**
 * @module
 * Uploads without half-written files: the body streams into `.<name>.outpost-<random>.part`
 * beside the target (same file system, so the final step is a rename), is fsync-ed, then
 * renamed over the target (`overwrite`) or hard-linked to the first free name of
 * `name`, `name_1.ext`, `name_2.ext`, ... — `link()` fails with EEXIST instead of
 * replacing, so two concurrent uploads never take the same name. Any failure, a broken
 * body or an aborted signal removes the temp file. Every step names its file through the
 * folder opened and checked beforehand (files-opened.ts), so a folder swapped by name
 * during the upload cannot send the temp file or the result anywhere else.
 */
import type { Stats } from "node:fs";
import { link, lstat, open, rename, unlink } from "node:fs/promises";
import { abortReason } from "../context.ts";
import { ConnectorError, isConnectorError } from "../errors.ts";
import { numberedName, tempName } from "./files-entry.ts";
import type { OpenedFolder } from "./files-opened.ts";

/** Names tried for `overwrite: false` before giving up. */
const MAX_NUMBERED = 10_000;

/** Writes `body` to `name` in `folder`; returns the name actually written and its stats. */
export async function writeAtomically(
  folder: OpenedFolder,
  name: string,
  body: ReadableStream<Uint8Array>,
  options: { overwrite: boolean; signal: AbortSignal },
): Promise<{ name: string; stats: Stats }> {
  const temp = folder.at(tempName(name));
  try {
    await streamInto(temp, body, options.signal);
    if (options.signal.aborted) throw abortReason(options.signal);
    let final = name;
    if (options.overwrite) await rename(temp, folder.at(name));
    else {
      final = await linkToFreeName(temp, folder, name);
      await unlink(temp);
    }
    await folder.sync();
    return { name: final, stats: await lstat(folder.at(final)) };
  } catch (error) {
    await unlink(temp).catch(() => {});
    throw error;
  }
}

async function streamInto(temp: string, body: ReadableStream<Uint8Array>, signal: AbortSignal): Promise<void> {
  // `wx`: exclusive create, so a pre-planted file or symlink at the temp name is never written through.
  const file = await open(temp, "wx", 0o644);
  const reader = body.getReader();
  const onAbort = () => void reader.cancel(signal.reason).catch(() => {});
  signal.addEventListener("abort", onAbort, { once: true });
  try {
    while (true) {
      if (signal.aborted) throw abortReason(signal);
      let chunk: Awaited<ReturnType<typeof reader.read>>;
      try {
        chunk = await reader.read();
      } catch (error) {
        if (signal.aborted) throw abortReason(signal);
        throw new ConnectorError("BAD_REQUEST", "the upload body broke off before its end", { cause: error });
      }
      if (chunk.done) break;
      if (signal.aborted) throw abortReason(signal);
      let offset = 0;
      while (offset < chunk.value.byteLength) {
        const { bytesWritten } = await file.write(chunk.value, offset);
        offset += bytesWritten;
      }
    }
    await file.sync();
  } catch (error) {
    if (!isConnectorError(error)) void reader.cancel().catch(() => {});
    throw error;
  } finally {
    signal.removeEventListener("abort", onAbort);
    try {
      reader.releaseLock();
    } catch {
      // A read still pending after cancel keeps the lock; the stream is dead either way.
    }
    await file.close();
  }
}

async function linkToFreeName(temp: string, folder: OpenedFolder, name: string): Promise<string> {
  for (let n = 0; n <= MAX_NUMBERED; n++) {
    const candidate = n === 0 ? name : numberedName(name, n);
    try {
      await link(temp, folder.at(candidate));
      return candidate;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
  }
  throw new ConnectorError("ALREADY_EXISTS", `no free name left for "${name}"`);
}
