/**
 * @module
 * Maps mysql2 and network errors to `ConnectorError`. Server errors keep their message,
 * with parameter values and the password cut out; the SQL is attached as a
 * non-enumerable `sql` field.
 */
import type { JsonValue } from "../connector.ts";
import { ConnectorError } from "../errors.ts";
import { redact } from "../redact.ts";

const NETWORK_CODES = new Set([
  "ECONNREFUSED", "ECONNRESET", "ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "EPIPE",
  "PROTOCOL_CONNECTION_LOST", "PROTOCOL_SEQUENCE_TIMEOUT", "ER_SERVER_SHUTDOWN", "ER_CONNECTION_KILLED", "ConnectionRefused",
  "ConnectionClosed",
]);
const AUTH_CODES = new Set(["ER_ACCESS_DENIED_ERROR", "ER_DBACCESS_DENIED_ERROR", "ER_NOT_SUPPORTED_AUTH_MODE", "ER_ACCESS_DENIED_NO_PASSWORD_ERROR"]);

export interface MysqlErrorScope {
  secrets?: readonly (JsonValue | undefined)[];
  sql?: string;
}

export function mapMysqlError(error: unknown, scope: MysqlErrorScope = {}): ConnectorError {
  const fields = (error && typeof error === "object" ? error : {}) as { code?: unknown; errno?: unknown; message?: unknown; fatal?: unknown };
  const code = typeof fields.code === "string" ? fields.code : "";
  const errno = typeof fields.errno === "number" ? fields.errno : 0;
  const text = redact(typeof fields.message === "string" ? fields.message : String(error), scope.secrets);
  let mapped: ConnectorError;
  if (AUTH_CODES.has(code)) mapped = new ConnectorError("AUTH_FAILED", `authentication failed: ${text}`, { cause: error });
  else if (NETWORK_CODES.has(code) || (fields.fatal === true && !code.startsWith("ER_") && !/SSL|TLS|CERT/i.test(code + text)))
    mapped = new ConnectorError("UNREACHABLE", `database unreachable: ${text}`, { cause: error, retryable: true });
  else if (/SSL|TLS|CERT/i.test(code) || /certificate|self.signed|SSL/i.test(text))
    mapped = new ConnectorError("UNREACHABLE", `TLS failed: ${text}`, { cause: error, retryable: false });
  else if (code === "ER_CON_COUNT_ERROR" || code === "ER_TOO_MANY_USER_CONNECTIONS")
    mapped = new ConnectorError("UNAVAILABLE", `database busy: ${text}`, { cause: error, retryable: true });
  else if (code === "ER_BAD_DB_ERROR") mapped = new ConnectorError("NOT_FOUND", text, { cause: error });
  else if (errno === 1792 || code === "ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION" || code === "ER_OPTION_PREVENTS_STATEMENT")
    mapped = new ConnectorError("READ_ONLY", text, { cause: error });
  else if (code === "ER_QUERY_INTERRUPTED") mapped = new ConnectorError("CANCELLED", text, { cause: error });
  else if (code === "ER_LOCK_DEADLOCK" || code === "ER_LOCK_WAIT_TIMEOUT")
    mapped = new ConnectorError("QUERY_FAILED", text, { cause: error, retryable: true });
  else if (code.startsWith("ER_") || errno > 0) mapped = new ConnectorError("QUERY_FAILED", text, { cause: error, details: { errno } });
  else mapped = new ConnectorError("INTERNAL", `mysql driver error: ${text}`, { cause: error });
  if (scope.sql !== undefined) Object.defineProperty(mapped, "sql", { value: scope.sql, enumerable: false });
  return mapped;
}
