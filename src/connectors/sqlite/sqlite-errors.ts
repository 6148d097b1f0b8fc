/**
 * @module
 * Maps bun:sqlite's `SQLiteError` codes to connector codes. SQLite messages quote SQL
 * fragments but never parameters, so they are passed on.
 */
import { ConnectorError } from "../errors.ts";

export function mapSqliteError(error: unknown): ConnectorError | undefined {
  if (error instanceof RangeError || error instanceof TypeError) {
    return new ConnectorError("BAD_REQUEST", `bad parameter: ${error.message}`, { cause: error });
  }
  if (!(error instanceof Error) || error.name !== "SQLiteError") return undefined;
  const code = (error as { code?: string }).code ?? "";
  const family = code.replace(/^(SQLITE_[A-Z]+).*$/, "$1");
  const details = { sqliteCode: code };
  const make = (ours: ConstructorParameters<typeof ConnectorError>[0], retryable?: boolean) =>
    new ConnectorError(ours, error.message, { cause: error, details, retryable });
  switch (family) {
    case "SQLITE_READONLY":
      return make("READ_ONLY");
    case "SQLITE_BUSY":
    case "SQLITE_LOCKED":
      return make("UNAVAILABLE", true);
    case "SQLITE_FULL":
    case "SQLITE_TOOBIG":
      return make("TOO_LARGE");
    case "SQLITE_AUTH":
    case "SQLITE_PERM":
      return make("AUTH_FAILED");
    case "SQLITE_CANTOPEN":
    case "SQLITE_NOTADB":
    case "SQLITE_CORRUPT":
      return make("UNREACHABLE", false);
    case "SQLITE_RANGE":
    case "SQLITE_MISMATCH":
      return make("BAD_REQUEST");
    default:
      return make("QUERY_FAILED");
  }
}
