/**
 * @module
 * Errors of `outpost service`. Each has a stable `code`; none is retryable by itself —
 * each needs the operator (root, a missing tool, an unsupported platform).
 */

export type ServiceErrorCode =
  | "UNSUPPORTED_PLATFORM"
  | "NOT_INSTALLED"
  | "NEEDS_ROOT"
  | "USER_MISSING"
  | "COMMAND_FAILED"
  | "CONFIG_UNREADABLE";

export class ServiceError extends Error {
  override readonly name = "ServiceError";
  readonly code: ServiceErrorCode;
  readonly retryable = false;

  constructor(code: ServiceErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.code = code;
  }
}
