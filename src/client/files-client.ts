/**
 * @module
 * A files profile of a group. Paths are relative to the profile's base folder, `/`-separated;
 * the agent refuses any path that leaves it (`FORBIDDEN_PATH`). Reads and uploads stream:
 * `read` gives a web `ReadableStream`, `write` sends any body without buffering it.
 * `list`, `stat` and `read` are retried when the gateway says they may be; nothing that
 * changes a file ever is.
 */
import { lengthChecked } from "./body-length.ts";
import { CLIENT_CODES, OutpostError } from "./errors.ts";
import { filePath, readJson, segment, type CallOptions, type Transport } from "./transport.ts";
import type { FileEntry, FileStat } from "./types.ts";

export interface ListOptions extends CallOptions {
  /** Lists sub-folders too. Defaults to `false`. */
  recursive?: boolean;
  /** A glob on names, e.g. `*.csv`. */
  pattern?: string;
}

export interface ReadOptions extends CallOptions {
  /** Bytes `start` to `end`, both inclusive (as HTTP `Range`); `end` defaults to the file's end. */
  range?: { start: number; end?: number };
}

export interface WriteOptions extends CallOptions {
  /** Replaces an existing file. Defaults to `true`; `false` picks the first free name (`a_1.txt`, `a_2.txt`…). */
  overwrite?: boolean;
}

export interface DeleteOptions extends CallOptions {
  /** Deletes a folder with everything in it. Defaults to `false`. */
  recursive?: boolean;
  /** Refuses to delete a folder that is not empty. Defaults to `false`. */
  onlyIfEmpty?: boolean;
}

export interface PollOptions extends CallOptions {
  pattern?: string;
  recursive?: boolean;
  /** Entries to return at most. Defaults to the agent's `100`. */
  limit?: number;
}

/** What an upload may be: a stream is sent as it is read, the rest as one body. */
export type UploadBody = ReadableStream<Uint8Array> | Uint8Array | ArrayBuffer | string | Blob;

const flag = (on: boolean | undefined) => (on ? "1" : undefined);

export class FilesClient {
  readonly #transport: Transport;
  readonly #path: string;

  /** Made by `client.group(name).files(profile)`. */
  constructor(transport: Transport, group: string, profile: string) {
    this.#transport = transport;
    this.#path = `/v1/groups/${segment(group)}/files/${segment(profile)}/`;
  }

  /** The entries of a folder (`""` is the base). */
  async list(path = "", options: ListOptions = {}): Promise<FileEntry[]> {
    const folder = filePath(path);
    const { entries } = await this.#transport.json<{ entries: FileEntry[] }>({
      ...this.#call("GET", folder === "" || folder.endsWith("/") ? folder : `${folder}/`, options),
      query: { recursive: flag(options.recursive), pattern: options.pattern },
      idempotent: true,
    });
    return entries;
  }

  /** Size, modification time and kind of a file or folder. */
  async stat(path: string, options: CallOptions = {}): Promise<FileStat> {
    const response = await this.#transport.send({ ...this.#call("HEAD", filePath(path), options), idempotent: true });
    const headers = response.headers;
    return {
      path: decodeURI(headers.get("x-outpost-path") ?? filePath(path)),
      size: Number(headers.get("content-length") ?? "0"),
      mtime: new Date(headers.get("last-modified") ?? 0),
      isDirectory: headers.get("x-outpost-directory") === "true",
    };
  }

  /** The file's bytes as a stream, from the first byte or the given range; a body short of the announced size errors (STREAM_BROKEN). */
  async read(path: string, options: ReadOptions = {}): Promise<ReadableStream<Uint8Array>> {
    const headers: Record<string, string> = {};
    if (options.range) headers.range = `bytes=${options.range.start}-${options.range.end ?? ""}`;
    const response = await this.#transport.send({ ...this.#call("GET", filePath(path), options), headers, idempotent: true });
    if (!response.body) throw new OutpostError(CLIENT_CODES.BAD_ANSWER, "the file answer has no body", { status: response.status });
    return lengthChecked(response, response.body);
  }

  /** The whole file (or range) in memory. */
  async bytes(path: string, options: ReadOptions = {}): Promise<Uint8Array> {
    return new Uint8Array(await new Response(await this.read(path, options)).arrayBuffer());
  }

  /** The whole file (or range) decoded as UTF-8. */
  async text(path: string, options: ReadOptions = {}): Promise<string> {
    return new Response(await this.read(path, options)).text();
  }

  /** Uploads a file; the agent renames it into place only once every byte arrived. Never retried. */
  async write(path: string, body: UploadBody, options: WriteOptions = {}): Promise<FileEntry> {
    const response = await this.#transport.send({
      ...this.#call("PUT", filePath(path), options),
      query: { overwrite: options.overwrite === false ? "0" : undefined },
      headers: { "content-type": "application/octet-stream" },
      body,
    });
    return readJson<FileEntry>(response, options.signal);
  }

  /** Moves a file or folder to another path under the base; never replaces (`ALREADY_EXISTS`). */
  move(path: string, to: string, options: CallOptions = {}): Promise<FileEntry> {
    return this.#post(path, { op: "move", to }, options);
  }

  /** Renames a file or folder within its folder; `to` is a single name. */
  rename(path: string, to: string, options: CallOptions = {}): Promise<FileEntry> {
    return this.#post(path, { op: "rename", to }, options);
  }

  /** Creates a folder and its missing parents; an existing folder is fine. */
  mkdir(path: string, options: CallOptions = {}): Promise<FileEntry> {
    return this.#post(path, { op: "mkdir" }, options);
  }

  /** Deletes a file, or a folder (see {@link DeleteOptions}). */
  async delete(path: string, options: DeleteOptions = {}): Promise<void> {
    const response = await this.#transport.send({
      ...this.#call("DELETE", filePath(path), options),
      query: { recursive: flag(options.recursive), onlyIfEmpty: flag(options.onlyIfEmpty) },
    });
    await response.body?.cancel();
  }

  /** Claims matching files, oldest first: each is renamed to `<name>.<time>.processing` and returned so. */
  async poll(path = "", options: PollOptions = {}): Promise<FileEntry[]> {
    const { entries } = await this.#post<{ entries: FileEntry[] }>(path, {
      op: "poll",
      pattern: options.pattern,
      recursive: flag(options.recursive),
      limit: options.limit === undefined ? undefined : String(options.limit),
    }, options);
    return entries;
  }

  async #post<T = FileEntry>(path: string, query: Record<string, string | undefined>, options: CallOptions): Promise<T> {
    return this.#transport.json<T>({ ...this.#call("POST", filePath(path), options), query });
  }

  #call(method: string, encodedPath: string, options: CallOptions) {
    return { method, path: this.#path + encodedPath, scope: this.#path, signal: options.signal, requestId: options.requestId };
  }
}
