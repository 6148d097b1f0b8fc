/**
 * @module
 * File operations. Reads stream the file (with `Range` support: 206 and Content-Range);
 * uploads stream the request body into the connector, which writes a temp file and
 * renames it only when every byte arrived. Listings and entries answer as JSON.
 */
import type { FileEntry, FilesConnector } from "../../connectors/connector.ts";
import type { Managed } from "../../connectors/managed.ts";
import { ConnectorError } from "../../connectors/errors.ts";
import type { HeaderList, Reply } from "../reply.ts";
import { optionalBoolean, optionalCount, optionalString, requiredString, type Args } from "./args.ts";
import { requestBody, type OperationContext } from "./context.ts";

type Files = Managed<FilesConnector>;

function entryHeaders(entry: FileEntry): HeaderList {
  return [
    ["last-modified", new Date(entry.mtime).toUTCString()],
    ["x-outpost-path", encodeURI(entry.path)],
    ["x-outpost-directory", String(entry.isDirectory)],
  ];
}

export async function list(files: Files, args: Args, reply: Reply, { ctx }: OperationContext): Promise<void> {
  const entries = await files.list(
    { path: requiredString(args, "path"), recursive: optionalBoolean(args, "recursive"), pattern: optionalString(args, "pattern") },
    ctx,
  );
  await reply.json({ entries });
}

export async function stat(files: Files, args: Args, reply: Reply, { ctx }: OperationContext): Promise<void> {
  const entry = await files.stat(requiredString(args, "path"), ctx);
  await reply.empty(200, [["content-length", String(entry.isDirectory ? 0 : entry.size)], ...entryHeaders(entry)]);
}

export async function read(files: Files, args: Args, reply: Reply, { ctx }: OperationContext): Promise<void> {
  const range = readRange(args.range);
  const result = await files.read({ path: requiredString(args, "path"), range }, ctx);
  const headers: HeaderList = [
    ["content-type", "application/octet-stream"],
    ["content-length", String(result.length)],
    ["accept-ranges", "bytes"],
    ...entryHeaders(result.entry),
  ];
  if (range) {
    const end = range.start + result.length - 1;
    headers.push(["content-range", `bytes ${range.start}-${end}/${result.entry.size}`]);
  }
  await reply.body(range ? 206 : 200, headers, result.body);
}

export async function write(files: Files, args: Args, reply: Reply, { ctx, stream }: OperationContext): Promise<void> {
  const body = requestBody(stream);
  const entry = await files.write({ path: requiredString(args, "path"), overwrite: optionalBoolean(args, "overwrite"), body }, ctx);
  await reply.json(entry, 201);
}

export async function move(files: Files, args: Args, reply: Reply, { ctx }: OperationContext): Promise<void> {
  await reply.json(await files.move(requiredString(args, "path"), requiredString(args, "to"), ctx));
}

export async function rename(files: Files, args: Args, reply: Reply, { ctx }: OperationContext): Promise<void> {
  await reply.json(await files.rename(requiredString(args, "path"), requiredString(args, "to"), ctx));
}

export async function mkdir(files: Files, args: Args, reply: Reply, { ctx }: OperationContext): Promise<void> {
  await reply.json(await files.mkdir(requiredString(args, "path"), ctx), 201);
}

export async function remove(files: Files, args: Args, reply: Reply, { ctx }: OperationContext): Promise<void> {
  await files.delete(requiredString(args, "path"), { onlyIfEmpty: optionalBoolean(args, "onlyIfEmpty"), recursive: optionalBoolean(args, "recursive") }, ctx);
  await reply.empty(204);
}

export async function poll(files: Files, args: Args, reply: Reply, { ctx }: OperationContext): Promise<void> {
  if (!files.poll) throw new ConnectorError("BAD_REQUEST", "this files profile does not support polling");
  const entries = await files.poll(
    {
      path: requiredString(args, "path"),
      pattern: optionalString(args, "pattern"),
      recursive: optionalBoolean(args, "recursive"),
      limit: optionalCount(args, "limit"),
    },
    ctx,
  );
  await reply.json({ entries });
}

function readRange(value: unknown): { start: number; end?: number } | undefined {
  if (value === undefined || value === null) return undefined;
  const range = value as { start?: unknown; end?: unknown };
  const valid = Number.isInteger(range.start) && (range.end === undefined || Number.isInteger(range.end));
  if (!valid) throw new ConnectorError("BAD_REQUEST", 'argument "range" must be {start, end?} in bytes');
  return { start: range.start as number, end: range.end as number | undefined };
}
