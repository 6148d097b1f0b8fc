/**
 * @module
 * Maps postgres.js and network errors to `ConnectorError` at the connector's boundary.
 * SQLSTATE classes decide the code (28: auth, 57P: server going away, 25006: read-only,
 * 40: retryable conflicts); the server's message is kept but any parameter value or the
 * password quoted in it is cut out. The SQL travels as a non-enumerable `sql` field so it
 * never reaches a log line by accident.
 */
import type { JsonValue } from "../connector.ts";
import { ConnectorError } from "../errors.ts";
import { redact } from "../redact.ts";

const NETWORK_CODES = new Set([
  "ECONNREFUSED", "ECONNRESET", "ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "EPIPE",
  "CONNECTION_CLOSED", "CONNECTION_ENDED", "CONNECTION_DESTROYED", "CONNECT_TIMEOUT", "ConnectionRefused", "ConnectionClosed",
]);
const AUTH_CODES = new Set(["28P01", "28000", "SASL_SIGNATURE_MISMATCH", "AUTH_TYPE_NOT_IMPLEMENTED", "PASSWORD_REQUIRED"]);

export interface ErrorScope {
  /** Values that must not appear in a message: the request's parameters and the profile's password. */
  secrets?: readonly (JsonValue | undefined)[];
  sql?: string;
}

/** The ConnectorError for anything postgres.js threw. */
export function mapPostgresError(error: unknown, scope: ErrorScope = {}): ConnectorError {
  const { code, message } = describe(error);
  const text = redact(message, scope.secrets);
  let mapped: ConnectorError;
  if (AUTH_CODES.has(code)) mapped = new ConnectorError("AUTH_FAILED", `authentication failed: ${text}`, { cause: error });
  else if (NETWORK_CODES.has(code) || code === "57P01" || code === "57P02" || code === "08006" || code === "08001")
    mapped = new ConnectorError("UNREACHABLE", `database unreachable: ${text}`, { cause: error, retryable: true });
  else if (/CERT|TLS|SSL/i.test(code) || /certificate|self.signed|SSL/i.test(message))
    mapped = new ConnectorError("UNREACHABLE", `TLS failed: ${text}`, { cause: error, retryable: false });
  else if (code === "57P03" || code === "53300" || code === "53400")
    mapped = new ConnectorError("UNAVAILABLE", `database busy: ${text}`, { cause: error, retryable: true });
  else if (code === "3D000") mapped = new ConnectorError("NOT_FOUND", text, { cause: error });
  else if (code === "25006") mapped = new ConnectorError("READ_ONLY", text, { cause: error });
  else if (code === "57014") mapped = new ConnectorError("CANCELLED", text, { cause: error });
  else if (code === "40001" || code === "40P01") mapped = new ConnectorError("QUERY_FAILED", text, { cause: error, retryable: true });
  else if (/^[0-9A-Z]{5}$/.test(code)) mapped = new ConnectorError("QUERY_FAILED", text, { cause: error, details: { sqlstate: code } });
  else mapped = new ConnectorError("INTERNAL", `postgres driver error: ${text}`, { cause: error });
  if (scope.sql !== undefined) Object.defineProperty(mapped, "sql", { value: scope.sql, enumerable: false });
  return mapped;
}

function describe(error: unknown): { code: string; message: string } {
  if (error && typeof error === "object") {
    const fields = error as { code?: unknown; errno?: unknown; message?: unknown };
    const code = typeof fields.code === "string" ? fields.code : typeof fields.errno === "string" ? fields.errno : "";
    return { code, message: typeof fields.message === "string" ? fields.message : String(error) };
  }
  return { code: "", message: String(error) };
}
