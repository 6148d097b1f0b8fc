/**
 * @module
 * Problems found in a config file. Every problem knows where it is (file, line, column,
 * key path) so a person can go straight to it; messages never contain a secret value.
 */

export interface ConfigIssue {
  file: string;
  /** 1-based; 0 when the problem has no position (the file is missing, say). */
  line: number;
  /** 1-based; 0 when unknown. */
  column: number;
  /** Dotted key path, e.g. `databases.sales.adapter`; empty for the whole file. */
  path: string;
  message: string;
  /** Errors stop the load; warnings (unknown keys) are reported and ignored. */
  severity: "error" | "warning";
}

/** `config.yml:12:5 databases.sales.adapter: must be one of ...` */
export function formatIssue(issue: ConfigIssue): string {
  const where = issue.line > 0 ? `${issue.file}:${issue.line}:${issue.column}` : issue.file;
  return issue.path ? `${where} ${issue.path}: ${issue.message}` : `${where}: ${issue.message}`;
}

export type ConfigErrorCode = "CONFIG_NOT_FOUND" | "CONFIG_UNREADABLE" | "CONFIG_INVALID";

export class ConfigError extends Error {
  override readonly name = "ConfigError";
  readonly code: ConfigErrorCode;
  /** A config error needs a person to edit the file; retrying does not help. */
  readonly retryable = false;
  /** Every problem found, errors and warnings. */
  readonly issues: ConfigIssue[];

  /** The message lists every error, one per line. */
  constructor(code: ConfigErrorCode, issues: ConfigIssue[], options: { cause?: unknown } = {}) {
    super(issues.filter((issue) => issue.severity === "error").map(formatIssue).join("\n"), { cause: options.cause });
    this.code = code;
    this.issues = issues;
  }

  get errors(): ConfigIssue[] {
    return this.issues.filter((issue) => issue.severity === "error");
  }
}

export function isConfigError(error: unknown): error is ConfigError {
  return error instanceof ConfigError;
}
