/** @module Re-exports the TDS test server. */
export * from "./answers.ts";
export * from "./server.ts";
export type { CellValue, ColumnSpec, ColumnType } from "./tokens.ts";
export type { ParamValue, RpcParam } from "./requests.ts";
