/**
 * @module
 * The thread that owns one SQLite profile's connection. `SqliteConnector` sends it one
 * message per engine call and gets one reply per message, in order; errors travel as the
 * fields of a `ConnectorError` (structured clone drops the class). Started from source it
 * is this file; in the compiled binary the worker starts at the executable's entry, which
 * loads this module when it is not on the main thread (`src/cli/main.ts`).
 */
import { ConnectorError, isConnectorError } from "../errors.ts";
import { SqliteEngine, type SqliteEngineOptions } from "./sqlite-engine.ts";
import type { SqliteParam } from "./sqlite-values.ts";

/**
 * What the connector asks; `id` pairs the reply. A call carries its caller's `deadline`
 * (epoch ms): one that waited behind a long statement past it is not started.
 */
export type EngineCall = { id: number; deadline?: number } & (
  | { method: "open"; options: SqliteEngineOptions; cancelled: Int32Array<ArrayBufferLike> }
  | { method: "health" }
  | { method: "query"; sql: string; params: SqliteParam[] }
  | { method: "next"; cursor: number }
  | { method: "closeCursor"; cursor: number }
  | { method: "execute"; sql: string; params: SqliteParam[] }
  | { method: "batch"; sql: string; rows: SqliteParam[][] }
  | { method: "close" }
);

/**
 * Slots shared with the connector: it writes a call's id into slot `id % length` when the
 * call's caller leaves, so a call still queued behind a long statement is skipped. (A
 * later id landing in the same slot only loses that skip; the call then runs.)
 */
export const CANCEL_SLOTS = 1024;

export interface EngineFailure {
  code: ConnectorError["code"];
  message: string;
  retryable: boolean;
  details?: Record<string, unknown>;
}

export type EngineReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: EngineFailure };

let engine: SqliteEngine | undefined;
let cancelled: Int32Array<ArrayBufferLike> = new Int32Array(CANCEL_SLOTS);

function perform(call: EngineCall): unknown {
  if (call.method === "open") {
    cancelled = call.cancelled;
    engine = new SqliteEngine(call.options);
    return engine.open();
  }
  if (!engine) throw new ConnectorError("UNAVAILABLE", "the SQLite database is not open", { retryable: true });
  if (Atomics.load(cancelled, call.id % CANCEL_SLOTS) === call.id) throw new ConnectorError("CANCELLED", "the caller left before SQLite started the call");
  if (call.deadline !== undefined && Date.now() >= call.deadline) throw new ConnectorError("TIMEOUT", "the request's deadline passed before SQLite could start it");
  switch (call.method) {
    case "health":
      return engine.health();
    case "query":
      return engine.query(call.sql, call.params);
    case "next":
      return engine.next(call.cursor);
    case "closeCursor":
      return engine.closeCursor(call.cursor);
    case "execute":
      return engine.execute(call.sql, call.params);
    case "batch":
      return engine.batch(call.sql, call.rows);
    case "close":
      return engine.close();
  }
}

function failure(error: unknown): EngineFailure {
  if (isConnectorError(error)) return { code: error.code, message: error.message, retryable: error.retryable, details: error.details };
  // Not a driver error we know: name it without the message, which may quote values.
  const name = error instanceof Error ? error.name : typeof error;
  return { code: "INTERNAL", message: `unexpected ${name} in the SQLite worker`, retryable: false };
}

declare const self: Worker;

self.onmessage = (event: MessageEvent<EngineCall>) => {
  const call = event.data;
  let reply: EngineReply;
  try {
    reply = { id: call.id, ok: true, value: perform(call) };
  } catch (error) {
    reply = { id: call.id, ok: false, error: failure(error) };
  }
  self.postMessage(reply);
};
