/**
 * @module
 * The thread that owns one SQLite profile's connection. `SqliteChannel` sends it one
 * engine call at a time and gets one reply per call; errors travel as the
 * fields of a `ConnectorError` (structured clone drops the class). Started from source it
 * is this file; in the compiled binary the worker starts at the executable's entry, which
 * loads this module when it is not on the main thread (`src/cli/main.ts`).
 */
import { ConnectorError, isConnectorError } from "../errors.ts";
import { SqliteEngine, type SqliteEngineOptions } from "./sqlite-engine.ts";
import type { SqliteParam } from "./sqlite-values.ts";

/** What the connector asks, one call at a time (`sqlite-channel.ts`); `id` is echoed in the reply. */
export type EngineCall = { id: number } & (
  | { method: "open"; options: SqliteEngineOptions }
  | { method: "health" }
  | { method: "query"; sql: string; params: SqliteParam[] }
  | { method: "next"; cursor: number }
  | { method: "closeCursor"; cursor: number }
  | { method: "execute"; sql: string; params: SqliteParam[] }
  | { method: "batch"; sql: string; rows: SqliteParam[][] }
  | { method: "close" }
);

export interface EngineFailure {
  code: ConnectorError["code"];
  message: string;
  retryable: boolean;
  details?: Record<string, unknown>;
}

export type EngineReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: EngineFailure };

let engine: SqliteEngine | undefined;

function perform(call: EngineCall): unknown {
  if (call.method === "open") {
    engine = new SqliteEngine(call.options);
    return engine.open();
  }
  if (!engine) throw new ConnectorError("UNAVAILABLE", "the SQLite database is not open", { retryable: true });
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
