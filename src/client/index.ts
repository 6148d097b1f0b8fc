/** @module The typed client for the Outpost gateway API; see docs/client.md. */
export { OutpostClient, GroupClient, type OutpostClientOptions } from "./outpost-client.ts";
export { DatabaseClient, type DatabaseCallOptions, type QueryOptions } from "./database-client.ts";
export { FilesClient, type DeleteOptions, type ListOptions, type PollOptions, type ReadOptions, type UploadBody, type WriteOptions } from "./files-client.ts";
export { ExtensionClient, HttpClient, ScriptsClient, type ForwardInit, type ScriptOptions } from "./forward-clients.ts";
export { AdminClient, type Agent, type AgentActivation, type ApiToken, type Group, type GroupSettings, type NewToken } from "./admin-client.ts";
export { RowStream, ndjsonLines } from "./ndjson.ts";
export {
  CLIENT_CODES,
  OutpostAuthError,
  OutpostConflictError,
  OutpostError,
  OutpostNotFoundError,
  OutpostPermissionError,
  OutpostQueryError,
  OutpostUnavailableError,
} from "./errors.ts";
export type { CallOptions, ClientRequestInit, FetchLike } from "./transport.ts";
export type { CallResult, Column, FileEntry, FileStat, JsonValue, QueryResult, QuerySummary, Row, ScriptResult } from "./types.ts";
