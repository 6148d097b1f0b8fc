/**
 * @module
 * A database profile's statements on the `sql` log component, at debug level: the SQL
 * text and how many parameters, and the parameter values themselves only when the profile
 * says `debug: true` (they are the callers' data), as `paramValues`: the logger's safety net
 * blanks any field named `params`, and still blanks a named parameter that looks secret
 * (`password`, `token`, ...) inside it. Nothing from the profile's own settings
 * (its password, its host) is ever part of the line. Wrapped around the connector only
 * when such a line can be written at all, so a profile logged at info pays nothing.
 */
import type { CallContext, DatabaseConnector, JsonValue } from "./connector.ts";
import type { Logger } from "../log/logger.ts";

export interface StatementLogOptions {
  /** The profile's `sql` logger. */
  log: Logger;
  /** `debug: true` on the profile: add the parameter values. */
  withParams: boolean;
}

/** `connector` itself when `log` drops debug lines, else a wrapper that logs each statement first. */
export function logStatements(connector: DatabaseConnector, options: StatementLogOptions): DatabaseConnector {
  const { log, withParams } = options;
  if (!log.enabled("debug")) return connector;
  const line = (op: string, sql: string, params: JsonValue[] | JsonValue[][] | undefined, ctx: CallContext) =>
    log.debug("statement", { op, requestId: ctx.requestId, sql, paramCount: params?.length ?? 0, ...(withParams ? { paramValues: params ?? [] } : {}) });
  const wrapped: DatabaseConnector = {
    kind: "database",
    close: () => connector.close(),
    query: (request, ctx) => (line("query", request.sql, request.params, ctx), connector.query(request, ctx)),
    execute: (request, ctx) => (line("execute", request.sql, request.params, ctx), connector.execute(request, ctx)),
    batch: (request, ctx) => (line("batch", request.sql, request.rows, ctx), connector.batch(request, ctx)),
  };
  if (connector.init) wrapped.init = () => connector.init!();
  if (connector.health) wrapped.health = (ctx) => connector.health!(ctx);
  if (connector.call) {
    wrapped.call = (request, ctx) => {
      log.debug("statement", { op: "call", requestId: ctx.requestId, procedure: request.procedure, ...(withParams ? { paramValues: request.params } : {}) });
      return connector.call!(request, ctx);
    };
  }
  return wrapped;
}
