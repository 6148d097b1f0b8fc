/**
 * @module
 * Maps Bun `fetch` failures to connector codes. Certificate problems are UNREACHABLE but
 * not retryable (trying again meets the same certificate); refused, reset and DNS
 * failures are UNREACHABLE and retryable.
 */
import { ConnectorError, isConnectorError } from "../errors.ts";

const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ALTNAME|TLS|SSL|HANDSHAKE/i;

export function mapFetchError(error: unknown): ConnectorError {
  if (isConnectorError(error)) return error;
  const code = String((error as { code?: unknown } | undefined)?.code ?? "");
  if (TLS_CODES.test(code)) {
    return new ConnectorError("UNREACHABLE", `TLS failure talking to the backend (${code})`, {
      cause: error,
      retryable: false,
      details: { tls: code },
    });
  }
  return new ConnectorError("UNREACHABLE", `the backend cannot be reached${code ? ` (${code})` : ""}`, {
    cause: error,
    retryable: true,
    details: code ? { errno: code } : undefined,
  });
}
