/**
 * @module
 * Moves that never replace what is already there. A file moves by `link()` + `unlink()`
 * (the link fails with EEXIST rather than overwriting); a folder, or a file across
 * devices, by `rename()` after checking the target is free — a narrow race that plain
 * POSIX cannot close for folders.
 */
import { link, lstat, rename, unlink } from "node:fs/promises";
import { ConnectorError } from "../errors.ts";

export async function moveNoClobber(fromAbs: string, toAbs: string, toRel: string): Promise<void> {
  const source = await lstat(fromAbs);
  if (source.isFile()) {
    try {
      await link(fromAbs, toAbs);
      await unlink(fromAbs);
      return;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== "EXDEV" && code !== "EPERM" && code !== "ENOTSUP") throw error;
    }
  }
  const taken = await lstat(toAbs).then(
    () => true,
    (error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return false;
      throw error;
    },
  );
  if (taken) throw new ConnectorError("ALREADY_EXISTS", `"${toRel}" already exists`);
  await rename(fromAbs, toAbs);
}
