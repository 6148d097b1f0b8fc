/**
 * @module
 * Builds the root logger from the `logging:` section of config.yml. The section's type is
 * restated structurally here because `log` imports nothing else of ours; `LoggingSection`
 * in `src/config/types.ts` must stay assignable to `LoggingSettings`.
 */
import { resolve } from "node:path";
import { FileSink } from "./file-sink.ts";
import { createLogger, stderrSink, type Level, type Logger, type LogSink } from "./logger.ts";

export interface LoggingSettings {
  level?: Level;
  components?: Record<string, Level>;
  format?: "text" | "json";
  file?: { path: string; max_size_mb?: number; retain?: number; total_cap_mb?: number };
}

export interface FromConfigOptions {
  /** The root component. Defaults to `outpost`. */
  component?: string;
  /** Folder that a relative `file.path` is resolved against (config.yml's). Defaults to the cwd. */
  baseDir?: string;
  /** Also write to stderr besides the file. Defaults to `true`. */
  stderr?: boolean;
  /** Overrides the configured level (e.g. `--debug`). */
  level?: Level;
  /** Extra sinks (tests). */
  sinks?: LogSink[];
  /** Injected for tests. Defaults to `Date.now`. */
  now?: () => number;
}

export interface ConfiguredLogger {
  logger: Logger;
  /** Closes the log file, if any. */
  close(): void;
}

/** The root logger for a `logging:` section (absent section: info, stderr only). */
export function createLoggerFromConfig(section: LoggingSettings | undefined, options: FromConfigOptions = {}): ConfiguredLogger {
  const sinks: LogSink[] = [...(options.sinks ?? [])];
  if (options.stderr ?? true) sinks.push(stderrSink);
  let file: FileSink | undefined;
  if (section?.file) {
    file = new FileSink({
      path: resolve(options.baseDir ?? process.cwd(), section.file.path),
      maxSizeMb: section.file.max_size_mb,
      retain: section.file.retain,
      totalCapMb: section.file.total_cap_mb,
      now: options.now,
    });
    sinks.push(file);
  }
  const logger = createLogger(options.component ?? "outpost", {
    level: options.level ?? section?.level,
    components: options.level ? {} : section?.components,
    format: section?.format,
    sinks,
    now: options.now,
  });
  return { logger, close: () => file?.close() };
}
