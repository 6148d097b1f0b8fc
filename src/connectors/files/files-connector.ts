/**
 * @module
 * The files connector: every operation on paths relative to the profile's `base`, checked
 * at the moment of use by `resolveSafePath` (see files-paths.ts), then done on what was
 * opened: a read on the opened file, a change inside the opened parent folder, both
 * checked for where they really are (files-opened.ts). Writes go through a temp file and
 * a rename (files-write.ts); read-only profiles refuse every change with READ_ONLY
 * before touching the disk.
 */
import { lstat, mkdir, realpath, rm, rmdir, stat, unlink } from "node:fs/promises";
import { dirname, isAbsolute, join, resolve } from "node:path";
import type { FilesProfile } from "../../config/types.ts";
import type { CallContext, FileEntry, FilesConnector, ListRequest, PollRequest, ReadRequest, ReadResult, WriteRequest } from "../connector.ts";
import { throwIfAborted } from "../context.ts";
import type { ConnectorDeps } from "../deps.ts";
import { ConnectorError } from "../errors.ts";
import { entryAt, toEntry } from "./files-entry.ts";
import { mapFsError } from "./files-errors.ts";
import { listFolder } from "./files-list.ts";
import { moveNoClobber } from "./files-move.ts";
import { pollFolder } from "./files-poll.ts";
import { openRange } from "./files-read.ts";
import { inFolder, onceMoreIfChanged, type CheckOptions, type OpenedFolder } from "./files-opened.ts";
import { forbidden, isInside, joinRel, parseName, parseRelativePath, resolveSafePath, type SafePath } from "./files-paths.ts";
import { sweepStaleUploads } from "./files-sweep.ts";
import { writeAtomically } from "./files-write.ts";
import type { Logger } from "../../log/logger.ts";

export interface FilesConnectorOptions {
  /** Absolute folder every path is relative to. */
  base: string;
  /** Refuse every change. Defaults to `false`. */
  readonly?: boolean;
  /** Follow symlinks whose real path stays under base. Defaults to `false` (any symlink → FORBIDDEN_PATH). */
  followSymlinks?: boolean;
  /** Told how many stale upload temp files were removed at start. */
  log?: Logger;
}

export class LocalFilesConnector implements FilesConnector {
  readonly kind = "files";
  readonly #options: FilesConnectorOptions;
  readonly #follow: boolean;
  #base: string | undefined;

  constructor(options: FilesConnectorOptions) {
    this.#options = options;
    this.#follow = options.followSymlinks ?? false;
  }

  async init(): Promise<void> {
    const base = await realpath(this.#options.base).catch((error) => {
      throw new ConnectorError("UNREACHABLE", "the profile's base folder does not exist", { cause: error, retryable: false });
    });
    if (!(await stat(base)).isDirectory()) throw new ConnectorError("UNREACHABLE", "the profile's base is not a folder", { retryable: false });
    this.#base = base;
    if (!this.#options.readonly) {
      void sweepStaleUploads(base).then((removed) => {
        if (removed > 0) this.#options.log?.info("removed temp files of interrupted uploads", { count: removed });
      });
    }
  }

  async health(ctx: CallContext): Promise<void> {
    throwIfAborted(ctx.signal);
    await this.#fs("", () => stat(this.#root()));
  }

  async close(): Promise<void> {}

  async list(request: ListRequest, ctx: CallContext): Promise<FileEntry[]> {
    return onceMoreIfChanged(async () => {
      const at = await this.#resolve(request.path, ctx);
      return this.#fs(at.rel, () =>
        listFolder(at.abs, at.rel, { ...this.#check(), recursive: request.recursive ?? false, pattern: request.pattern, signal: ctx.signal }),
      );
    });
  }

  async stat(path: string, ctx: CallContext): Promise<FileEntry> {
    return onceMoreIfChanged(async () => {
      const at = await this.#resolve(path, ctx);
      if (at.rel === "") return this.#fs("", () => entryAt(at.abs, "", false));
      return this.#inParent(at, async (folder) => {
        const where = folder.at(at.name);
        if (this.#follow && !isInside(this.#root(), await realpath(where))) throw forbidden(at.rel, "a symlink leads outside the base");
        return entryAt(where, at.rel, this.#follow);
      });
    });
  }

  async read(request: ReadRequest, ctx: CallContext): Promise<ReadResult> {
    return onceMoreIfChanged(async () => {
      const at = await this.#resolve(request.path, ctx);
      return this.#fs(at.rel, () => openRange(at.abs, at.rel, request.range, { ...this.#check(), signal: ctx.signal }));
    });
  }

  /** Only the folder check can ask for the second try, so the body is never read twice. */
  async write(request: WriteRequest, ctx: CallContext): Promise<FileEntry> {
    return onceMoreIfChanged(async () => {
      const at = await this.#resolveForChange(request.path, ctx);
      if (at.rel === "") throw forbidden(request.path, "the base itself");
      return this.#inParent(at, async (folder) => {
        const written = await writeAtomically(folder, at.name, request.body, { overwrite: request.overwrite ?? true, signal: ctx.signal });
        return toEntry(joinRel(parentOf(at.rel), written.name), written.stats);
      });
    });
  }

  async move(from: string, to: string, ctx: CallContext): Promise<FileEntry> {
    return onceMoreIfChanged(async () => {
      const source = await this.#resolveForChange(from, ctx);
      const target = await this.#resolveForChange(to, ctx);
      if (source.rel === "" || target.rel === "") throw forbidden(source.rel === "" ? from : to, "the base itself");
      return this.#inParent(source, (sourceFolder) =>
        this.#inParent(target, async (targetFolder) => {
          await this.#fs(source.rel, () => moveNoClobber(sourceFolder.at(source.name), targetFolder.at(target.name), target.rel));
          return this.#fs(target.rel, () => entryAt(targetFolder.at(target.name), target.rel, this.#follow));
        }),
      );
    });
  }

  async rename(from: string, toName: string, ctx: CallContext): Promise<FileEntry> {
    // Only the source's text is needed here (for the target's folder); move() resolves and
    // checks both paths on disk, once, inside its retry.
    const rel = parseRelativePath(from).join("/");
    return this.move(rel, joinRel(parentOf(rel), parseName(toName)), ctx);
  }

  /** Creates the folder and its missing parents, one at a time inside the checked parent; an existing folder is fine. */
  async mkdir(path: string, ctx: CallContext): Promise<FileEntry> {
    return onceMoreIfChanged(async () => {
      const at = await this.#resolveForChange(path, ctx);
      let made: SafePath = { abs: this.#root(), rel: "", name: "" };
      for (const name of at.rel === "" ? [] : at.rel.split("/")) {
        made = { abs: join(made.abs, name), rel: joinRel(made.rel, name), name };
        await this.#inParent(made, (folder) =>
          mkdir(folder.at(name)).catch((error: NodeJS.ErrnoException) => {
            if (error.code !== "EEXIST") throw error;
          }),
        );
      }
      const entry = await this.stat(at.rel, ctx);
      if (!entry.isDirectory) throw new ConnectorError("ALREADY_EXISTS", `"${at.rel}" already exists and is not a folder`);
      return entry;
    });
  }

  /** A folder goes only when empty unless `recursive: true`; `onlyIfEmpty: true` always wins. The base itself never goes. */
  async delete(path: string, options: { onlyIfEmpty?: boolean; recursive?: boolean }, ctx: CallContext): Promise<void> {
    await onceMoreIfChanged(async () => {
      const at = await this.#resolveForChange(path, ctx);
      if (at.rel === "") throw forbidden(path, "the base itself cannot be deleted");
      await this.#inParent(at, async (folder) => {
        const where = folder.at(at.name);
        const stats = await lstat(where);
        if (!stats.isDirectory()) return unlink(where);
        if (options.recursive && !options.onlyIfEmpty) return rm(where, { recursive: true });
        return rmdir(where);
      });
    });
  }

  async poll(request: PollRequest, ctx: CallContext): Promise<FileEntry[]> {
    return onceMoreIfChanged(async () => {
      const at = request.markProcessing === false ? await this.#resolve(request.path, ctx) : await this.#resolveForChange(request.path, ctx);
      return this.#fs(at.rel, () => pollFolder(at.abs, at.rel, request, { ...this.#check(), signal: ctx.signal }));
    });
  }

  /** Runs `work` in the opened and checked parent folder of `at` (never the base itself). */
  async #inParent<T>(at: SafePath, work: (folder: OpenedFolder) => Promise<T>): Promise<T> {
    const parentRel = parentOf(at.rel);
    return this.#fs(at.rel, () => inFolder(dirname(at.abs), parentRel, this.#check(), work));
  }

  #check(): CheckOptions {
    return { base: this.#root(), followSymlinks: this.#follow };
  }

  async #resolve(path: string, ctx: CallContext): Promise<SafePath> {
    throwIfAborted(ctx.signal);
    return this.#fs(String(path), () => resolveSafePath(this.#root(), path, this.#follow));
  }

  async #resolveForChange(path: string, ctx: CallContext): Promise<SafePath> {
    if (this.#options.readonly) throw new ConnectorError("READ_ONLY", "this files profile is read-only");
    return this.#resolve(path, ctx);
  }

  #root(): string {
    if (!this.#base) throw new ConnectorError("UNAVAILABLE", "the files connector is not initialised", { retryable: true });
    return this.#base;
  }

  async #fs<T>(rel: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw mapFsError(error, rel);
    }
  }
}

function parentOf(rel: string): string {
  const slash = rel.lastIndexOf("/");
  return slash < 0 ? "" : rel.slice(0, slash);
}

/** The factory the registry calls for a `files:` profile. */
export function createFilesConnector(profile: FilesProfile, deps: ConnectorDeps): LocalFilesConnector {
  const base = isAbsolute(profile.base) ? profile.base : resolve(deps.baseDir ?? ".", profile.base);
  return new LocalFilesConnector({ base, readonly: profile.readonly, followSymlinks: profile.follow_symlinks, log: deps.log });
}
