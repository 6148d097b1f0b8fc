/**
 * @module
 * The stable error codes every connector maps its driver errors to. Callers see these
 * codes through the gateway API; `retryable` tells them whether trying again can help.
 */

export const CONNECTOR_ERROR_CODES = [
  "AUTH_FAILED",
  "UNREACHABLE",
  "TIMEOUT",
  "CANCELLED",
  "QUERY_FAILED",
  "NOT_FOUND",
  "ALREADY_EXISTS",
  "FORBIDDEN_PATH",
  "READ_ONLY",
  "TOO_LARGE",
  "BAD_REQUEST",
  "UNAVAILABLE",
  "INTERNAL",
] as const;
export type ConnectorErrorCode = (typeof CONNECTOR_ERROR_CODES)[number];

/** Whether a code is worth retrying when the error does not say otherwise. */
const RETRYABLE_BY_DEFAULT: ReadonlySet<ConnectorErrorCode> = new Set(["UNREACHABLE", "TIMEOUT", "UNAVAILABLE"]);

export class ConnectorError extends Error {
  override readonly name = "ConnectorError";
  readonly code: ConnectorErrorCode;
  readonly retryable: boolean;
  /** Extra machine-readable details safe to show a caller (never secrets). */
  readonly details?: Record<string, unknown>;

  constructor(
    code: ConnectorErrorCode,
    message: string,
    options: { retryable?: boolean; cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(message, { cause: options.cause });
    this.code = code;
    this.retryable = options.retryable ?? RETRYABLE_BY_DEFAULT.has(code);
    this.details = options.details;
  }
}

export function isConnectorError(error: unknown): error is ConnectorError {
  return error instanceof ConnectorError;
}
