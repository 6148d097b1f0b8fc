/**
 * @module
 * How the CLI reports a failure: one line per problem on stderr, each starting with
 * `outpost: `, no stack trace unless `--debug`, and an exit code a script can act on:
 * 2 for usage and config errors (fix the command or the file), 1 for anything else.
 */
import { isConfigError } from "../config/errors.ts";

/** A command was used wrongly (bad flags, refused overwrite, no terminal). Exit code 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
  readonly code = "USAGE";
  readonly retryable = false;
  /** Add a pointer to `--help` (for yargs' own complaints about arguments). */
  readonly showHelp: boolean;

  constructor(message: string, options: { showHelp?: boolean; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.showHelp = options.showHelp ?? false;
  }
}

export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** The exit code for an error thrown out of a command or out of yargs. */
export function exitCodeFor(error: unknown): number {
  if (error instanceof UsageError || isConfigError(error)) return EXIT_USAGE;
  return EXIT_FAILURE;
}

/** Writes the error to stderr as `outpost: ...` lines; adds the stack with `debug`. */
export function reportError(error: unknown, debug: boolean, write: (text: string) => void = (t) => process.stderr.write(t)): number {
  const message = error instanceof Error ? error.message : String(error);
  const lines = message.split("\n").filter((line) => line.trim() !== "");
  if (lines.length === 0) lines.push("failed");
  if (error instanceof UsageError && error.showHelp) lines[lines.length - 1] += " (see `outpost --help`)";
  for (const line of lines) write(`outpost: ${line}\n`);
  if (debug && error instanceof Error && error.stack) write(`${error.stack}\n`);
  return exitCodeFor(error);
}
