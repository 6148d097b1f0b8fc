/**
 * @module
 * What a canned query or procedure answers in the test server, and how an answer becomes
 * tokens. Tests register handlers by pattern; a handler returns one answer or a list (a
 * batch with several statements).
 */
import type { ParamValue, RpcParam } from "./requests.ts";
import type { SessionState } from "./session-state.ts";
import type { CellValue, ColumnSpec } from "./tokens.ts";

export interface SessionInfo {
  readonly id: number;
  readonly user: string;
  readonly database: string;
  /** The open transaction's descriptor (hex), if any. */
  transaction: string | undefined;
  /** What sp_reset_connection clears (see session-state.ts). */
  state: SessionState;
  /** Per request message, in order: whether it came with the RESETCONNECTION bit. */
  readonly resets: boolean[];
  /** The connection is closed. */
  ended: boolean;
}

export interface QueryContext {
  sql: string;
  /** `@p1` → `p1`; positional order kept in `list`. */
  params: Record<string, ParamValue>;
  list: RpcParam[];
  match: RegExpMatchArray;
  session: SessionInfo;
  /** Aborts when the client sends ATTENTION. */
  signal: AbortSignal;
}

export type Answer =
  | { columns: ColumnSpec[]; rows: Iterable<CellValue[]> | AsyncIterable<CellValue[]> }
  | { rowsAffected: number; /** CurCmd of the DONE token; defaults to 0xC3 (INSERT). */ command?: number }
  | { error: { number: number; message: string; severity?: number } }
  /** A statement that never finishes by itself: it ends when the client cancels (WAITFOR DELAY). */
  | { waitForCancel: true }
  | { ok: true };

export type QueryHandler = (ctx: QueryContext) => Answer | Answer[] | Promise<Answer | Answer[]>;

export interface ProcedureContext {
  params: RpcParam[];
  session: SessionInfo;
  signal: AbortSignal;
}

export interface ProcedureAnswer {
  resultSets?: { columns: ColumnSpec[]; rows: CellValue[][] }[];
  /** Output parameter values by name (without `@`), with the column type they are sent as. */
  outputs?: Record<string, { type: ColumnSpec["type"]; value: CellValue; scale?: number }>;
  returnStatus?: number;
  error?: { number: number; message: string };
}

export type ProcedureHandler = (ctx: ProcedureContext) => ProcedureAnswer | Promise<ProcedureAnswer>;

/** Turns `select 1` or a RegExp into a matcher: strings match the whole statement, case and spacing ignored. */
export function matcher(pattern: string | RegExp): RegExp {
  if (pattern instanceof RegExp) return pattern;
  const escaped = pattern.trim().replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/\s+/g, "\\s+");
  return new RegExp(`^\\s*${escaped}\\s*;?\\s*$`, "i");
}
