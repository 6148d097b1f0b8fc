/**
 * @module
 * A log sink that appends to a file and rotates it: when the day (UTC) changes and when the
 * file would pass `maxSizeMb`. Rotated files are renamed `<name>-<UTC stamp>-<seq><ext>`
 * beside it, so names sort by age; beyond `retain` files or `totalCapMb` together, the
 * oldest are deleted. Writes are synchronous so the last line before a crash is on disk.
 */
import { closeSync, fstatSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, statSync, writeSync } from "node:fs";
import { basename, dirname, extname, join } from "node:path";
import type { Level, LogSink } from "./logger.ts";

export interface FileSinkOptions {
  path: string;
  /** Rotate before the file would pass this size. Defaults to `20`. */
  maxSizeMb?: number;
  /** Rotated files kept. Defaults to `10`. */
  retain?: number;
  /** Cap on all rotated files together. Defaults to `200`. */
  totalCapMb?: number;
  /** Injected for tests. Defaults to `Date.now`. */
  now?: () => number;
}

const MB = 1024 * 1024;

export class FileSink implements LogSink {
  readonly #path: string;
  readonly #maxBytes: number;
  readonly #retain: number;
  readonly #capBytes: number;
  readonly #now: () => number;
  #fd: number | undefined;
  #size = 0;
  #day = "";
  #seq = 0;

  constructor(options: FileSinkOptions) {
    this.#path = options.path;
    this.#maxBytes = (options.maxSizeMb ?? 20) * MB;
    this.#retain = options.retain ?? 10;
    this.#capBytes = (options.totalCapMb ?? 200) * MB;
    this.#now = options.now ?? Date.now;
    mkdirSync(dirname(this.#path), { recursive: true });
    this.#open();
  }

  write(line: string, _level: Level): void {
    const bytes = Buffer.from(line + "\n");
    const today = utcDay(this.#now());
    if (today !== this.#day || (this.#size > 0 && this.#size + bytes.length > this.#maxBytes)) this.#rotate();
    if (this.#fd === undefined) return;
    writeSync(this.#fd, bytes);
    this.#size += bytes.length;
  }

  /** Closes the file; later writes are dropped. */
  close(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }

  /** The rotated files, oldest first. */
  rotatedFiles(): string[] {
    const { dir, stem, ext } = this.#parts();
    return readdirSync(dir)
      .filter((name) => name.startsWith(`${stem}-`) && name.endsWith(ext) && /-\d{8}T\d{9}-\d{4}/.test(name))
      .sort()
      .map((name) => join(dir, name));
  }

  #open() {
    this.#fd = openSync(this.#path, "a", 0o640);
    const stat = fstatSync(this.#fd);
    this.#size = stat.size;
    // An existing file keeps the day it was last written, so a restart the next morning still rotates.
    this.#day = utcDay(stat.size > 0 ? stat.mtimeMs : this.#now());
  }

  #rotate() {
    this.close();
    if (statSync(this.#path, { throwIfNoEntry: false })?.size) {
      const { dir, stem, ext } = this.#parts();
      const stamp = new Date(this.#now()).toISOString().replace(/[-:.Z]/g, "");
      const seq = String(this.#seq++ % 10000).padStart(4, "0");
      renameSync(this.#path, join(dir, `${stem}-${stamp}-${seq}${ext}`));
    }
    this.#prune();
    this.#open();
  }

  #prune() {
    const files = this.rotatedFiles().reverse(); // newest first: keep from the front
    let total = 0;
    files.forEach((file, index) => {
      total += statSync(file).size;
      if (index >= this.#retain || total > this.#capBytes) rmSync(file, { force: true });
    });
  }

  #parts() {
    const ext = extname(this.#path);
    return { dir: dirname(this.#path), stem: basename(this.#path, ext), ext };
  }
}

function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
