/**
 * @module
 * Maps tedious errors to `ConnectorError`. Login failures (error 18456, code ELOGIN) are
 * AUTH_FAILED; socket and connect-timeout errors are UNREACHABLE and retryable, except
 * certificate failures, which trying again will not fix; ATTENTION-acknowledged requests
 * are CANCELLED; server errors keep their number in `details` and their message with the
 * password and parameter values cut out. The SQL travels as a non-enumerable `sql` field.
 */
import type { JsonValue } from "../connector.ts";
import { ConnectorError } from "../errors.ts";
import { redact } from "../redact.ts";

const NETWORK_CODES = new Set(["ESOCKET", "ETIMEOUT", "ECONNREFUSED", "ECONNRESET", "ECLOSE", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "EPIPE", "EINSTLOOKUP"]);
/** Server errors meaning "you may not write here": read-only database (3906, an availability-group secondary), permission denied. */
const READ_ONLY_NUMBERS = new Set([3906]);
const DENIED_NUMBERS = new Set([229, 230, 262, 297, 300]);
const RETRYABLE_NUMBERS = new Set([1205, 1222, 40613, 40501, 49918, 49919, 49920]);

export interface SqlServerErrorScope {
  secrets?: readonly (JsonValue | undefined)[];
  sql?: string;
  /** A `readonly` profile: permission-denied errors are reported as READ_ONLY. */
  readonly?: boolean;
}

export function mapSqlServerError(error: unknown, scope: SqlServerErrorScope = {}): ConnectorError {
  const fields = (error && typeof error === "object" ? error : {}) as { code?: unknown; number?: unknown; message?: unknown; cause?: unknown };
  const code = typeof fields.code === "string" ? fields.code : "";
  const number = typeof fields.number === "number" ? fields.number : 0;
  const text = redact(typeof fields.message === "string" ? fields.message : String(error), scope.secrets);
  const tlsProblem = /certificate|self.signed|altnames|SSL|TLS|EENCRYPT/i.test(`${code} ${text} ${String((fields.cause as Error | undefined)?.message ?? "")}`);
  let mapped: ConnectorError;
  if (code === "ELOGIN" || number === 18456) mapped = new ConnectorError("AUTH_FAILED", `authentication failed: ${text}`, { cause: error });
  else if (code === "ECANCEL") mapped = new ConnectorError("CANCELLED", "the statement was cancelled", { cause: error });
  else if (code === "EENCRYPT" || (tlsProblem && (NETWORK_CODES.has(code) || code === "")))
    mapped = new ConnectorError("UNREACHABLE", `TLS failed: ${text}`, { cause: error, retryable: false });
  else if (NETWORK_CODES.has(code)) mapped = new ConnectorError("UNREACHABLE", `database unreachable: ${text}`, { cause: error, retryable: true });
  else if (READ_ONLY_NUMBERS.has(number) || (scope.readonly && DENIED_NUMBERS.has(number)))
    mapped = new ConnectorError("READ_ONLY", text, { cause: error, details: { number } });
  else if (number === 4060 || number === 911) mapped = new ConnectorError("NOT_FOUND", text, { cause: error, details: { number } });
  else if (RETRYABLE_NUMBERS.has(number)) mapped = new ConnectorError("QUERY_FAILED", text, { cause: error, retryable: true, details: { number } });
  else if (number > 0 || code === "EREQUEST") mapped = new ConnectorError("QUERY_FAILED", text, { cause: error, details: { number } });
  else mapped = new ConnectorError("INTERNAL", `sqlserver driver error: ${text}`, { cause: error });
  if (scope.sql !== undefined) Object.defineProperty(mapped, "sql", { value: scope.sql, enumerable: false });
  return mapped;
}
