/**
 * @module
 * The JSON shapes the invoke API answers with. They mirror the agent's connector types
 * (src/connectors/connector.ts) but are declared here, because this folder ships to
 * callers and imports nothing else of Outpost's.
 */

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface Column {
  name: string;
  /** The database's own type name, lower case (`int8`, `varchar`, `integer`…). */
  type: string;
}

/** A row keyed by column name. */
export type Row = Record<string, JsonValue>;

export interface QuerySummary {
  rowCount: number;
  /** `true` when `maxRows` (or the profile's row cap) cut the result. */
  truncated: boolean;
}

export interface QueryResult<R = Row> extends QuerySummary {
  columns: Column[];
  rows: R[];
}

export interface CallResult {
  outputs: Record<string, JsonValue>;
  resultSets: { columns: Column[]; rows: Row[] }[];
}

export interface FileEntry {
  name: string;
  /** Relative to the profile's base, `/`-separated. */
  path: string;
  size: number;
  /** ISO 8601. */
  mtime: string;
  ctime: string;
  isDirectory: boolean;
}

/** What `HEAD` tells about a file or folder. */
export interface FileStat {
  path: string;
  /** Bytes; `0` for a folder. */
  size: number;
  mtime: Date;
  isDirectory: boolean;
}

export interface ScriptResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** `true` when stdout or stderr passed the profile's cap and was cut. */
  truncated: boolean;
}
