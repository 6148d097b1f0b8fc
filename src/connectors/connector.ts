/**
 * @module
 * The contracts between the agent and its connectors. The agent's dispatcher turns a
 * tunnel request into one call on one of these interfaces; each connector folder
 * (`sqlite/`, `postgres/`, `files/`, ...) implements exactly one of them. Optional
 * capabilities are optional methods: the dispatcher answers BAD_REQUEST when a
 * profile's connector lacks one.
 *
 * Every method gets a `CallContext`: its `signal` aborts when the caller disconnects,
 * cancels, or the deadline passes, and a connector must then stop the work (cancel the
 * statement on the server, kill the process tree, delete the temp file) and throw
 * `ConnectorError("CANCELLED" | "TIMEOUT")`.
 */
import type { Logger } from "../log/logger.ts";

export interface CallContext {
  readonly requestId: string;
  /** Aborted on cancel or deadline; `signal.reason` is a ConnectorError. */
  readonly signal: AbortSignal;
  /** Epoch milliseconds after which the request has failed with TIMEOUT. */
  readonly deadline: number;
  readonly log: Logger;
}

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** Lifecycle every connector shares. */
export interface Connector {
  /** Opens pools, checks paths; called once before the first request (the managed wrapper retries after a failure). */
  init?(): Promise<void>;
  /** A real round trip (a `SELECT 1`, a stat of the base folder). Throws a ConnectorError when unhealthy. */
  health?(ctx: CallContext): Promise<void>;
  /** Releases pools and handles; no call follows. */
  close(): Promise<void>;
}

// ---- databases -------------------------------------------------------------------

export interface Column {
  name: string;
  /** The database's own type name, lower case (`int8`, `varchar`, `numeric`, ...). */
  type: string;
}

export type Row = Record<string, JsonValue>;

export interface QueryRequest {
  sql: string;
  params?: JsonValue[];
  /** Stop after this many rows and report `truncated: true`. */
  maxRows?: number;
}

export interface QueryResult {
  columns: Column[];
  /** Batches of rows, pulled one at a time from a server-side cursor. Breaking out of the loop releases the cursor. */
  rows: AsyncIterable<Row[]>;
}

export interface ExecuteRequest {
  sql: string;
  params?: JsonValue[];
}

export interface BatchRequest {
  sql: string;
  /** One parameter list per execution; all run in one transaction. */
  rows: JsonValue[][];
}

export interface CallRequest {
  procedure: string;
  /** Named parameters; `{ out: true, type }` marks an output parameter. */
  params?: Record<string, JsonValue | { value?: JsonValue; out: true; type?: string }>;
}

export interface CallResult {
  outputs: Record<string, JsonValue>;
  resultSets: { columns: Column[]; rows: Row[] }[];
}

export interface DatabaseConnector extends Connector {
  readonly kind: "database";
  query(request: QueryRequest, ctx: CallContext): Promise<QueryResult>;
  execute(request: ExecuteRequest, ctx: CallContext): Promise<{ rowsAffected: number }>;
  batch(request: BatchRequest, ctx: CallContext): Promise<{ rowsAffected: number }>;
  call?(request: CallRequest, ctx: CallContext): Promise<CallResult>;
}

// ---- files -----------------------------------------------------------------------

export interface FileEntry {
  name: string;
  /** Relative to the profile's base, `/`-separated. */
  path: string;
  size: number;
  mtime: string;
  ctime: string;
  isDirectory: boolean;
}

export interface ListRequest {
  path: string;
  recursive?: boolean;
  /** A glob such as `*.csv`, matched against the entry's name. */
  pattern?: string;
}

export interface ReadRequest {
  path: string;
  /** Inclusive byte range, as in HTTP `Range: bytes=start-end`. */
  range?: { start: number; end?: number };
}

export interface ReadResult {
  entry: FileEntry;
  /** Bytes actually sent (the range's length, or the file size). */
  length: number;
  body: ReadableStream<Uint8Array>;
}

export interface WriteRequest {
  path: string;
  body: ReadableStream<Uint8Array>;
  /** true: replace; false: pick `name_1.ext`, `name_2.ext`, ... Defaults to true. */
  overwrite?: boolean;
}

export interface PollRequest {
  path: string;
  pattern?: string;
  recursive?: boolean;
  /** Rename each returned file to `<name>.<timestamp>.processing`. Defaults to true. */
  markProcessing?: boolean;
  limit?: number;
}

export interface FilesConnector extends Connector {
  readonly kind: "files";
  list(request: ListRequest, ctx: CallContext): Promise<FileEntry[]>;
  stat(path: string, ctx: CallContext): Promise<FileEntry>;
  read(request: ReadRequest, ctx: CallContext): Promise<ReadResult>;
  write(request: WriteRequest, ctx: CallContext): Promise<FileEntry>;
  move(from: string, to: string, ctx: CallContext): Promise<FileEntry>;
  rename(from: string, toName: string, ctx: CallContext): Promise<FileEntry>;
  mkdir(path: string, ctx: CallContext): Promise<FileEntry>;
  delete(path: string, options: { onlyIfEmpty?: boolean; recursive?: boolean }, ctx: CallContext): Promise<void>;
  poll?(request: PollRequest, ctx: CallContext): Promise<FileEntry[]>;
}

// ---- http ------------------------------------------------------------------------

export interface HttpForwardRequest {
  method: string;
  /** Path (and query string) relative to the profile's base_url, e.g. `orders/7?full=1`. */
  path: string;
  headers: [string, string][];
  body: ReadableStream<Uint8Array> | null;
}

export interface HttpForwardResponse {
  status: number;
  headers: [string, string][];
  body: ReadableStream<Uint8Array> | null;
}

export interface HttpConnector extends Connector {
  readonly kind: "http";
  forward(request: HttpForwardRequest, ctx: CallContext): Promise<HttpForwardResponse>;
}

// ---- scripts ---------------------------------------------------------------------

export interface ScriptResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** true when stdout or stderr passed its cap and was cut. */
  truncated: boolean;
}

export interface ScriptsConnector extends Connector {
  readonly kind: "scripts";
  run(script: string, params: Record<string, JsonValue>, ctx: CallContext): Promise<ScriptResult>;
}

// ---- extensions ------------------------------------------------------------------

export interface ExtensionConnector extends Connector {
  readonly kind: "extension";
  /** The request's URL path is relative to the extension, e.g. `/hello`. */
  handle(request: Request, ctx: CallContext): Promise<Response>;
}

export type AnyConnector = DatabaseConnector | FilesConnector | HttpConnector | ScriptsConnector | ExtensionConnector;
export type ConnectorKind = AnyConnector["kind"];
