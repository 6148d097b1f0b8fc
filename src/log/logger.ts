/**
 * @module
 * Structured logging for every part of Outpost. A logger belongs to one component
 * (agent, tunnel, gateway, sql, files, http, scripts, ...), filters by that component's
 * level, and writes one line per event: human text on terminals, JSON for log shippers.
 *
 * Secrets never reach a line: fields whose names look secret are replaced before
 * formatting (see `redact.ts`), and callers pass SQL parameters only when a profile
 * has `debug: true`.
 */
import { redactFields } from "./redact.ts";

export const LEVELS = ["trace", "debug", "info", "warn", "error"] as const;
export type Level = (typeof LEVELS)[number];

export type Fields = Record<string, unknown>;

/** Where formatted lines go. The default writes to stderr; files add rotation. */
export interface LogSink {
  write(line: string, level: Level): void;
}

export interface Logger {
  readonly component: string;
  trace(msg: string, fields?: Fields): void;
  debug(msg: string, fields?: Fields): void;
  info(msg: string, fields?: Fields): void;
  warn(msg: string, fields?: Fields): void;
  error(msg: string, fields?: Fields): void;
  enabled(level: Level): boolean;
  /** A logger that adds `fields` (a request id, say) to every line it writes. */
  with(fields: Fields): Logger;
  /** The same sinks and levels, for another component. */
  child(component: string): Logger;
}

export interface LogOptions {
  /** Level for components not named in `components`. Defaults to `info`. */
  level?: Level;
  /** Per-component levels, e.g. `{ sql: "debug" }`. */
  components?: Record<string, Level>;
  /** `text` for people, `json` for shippers. Defaults to text on a terminal, else json. */
  format?: "text" | "json";
  /** Defaults to one sink writing to stderr. */
  sinks?: LogSink[];
  /** Injected for tests. Defaults to `Date.now`. */
  now?: () => number;
}

const rank: Record<Level, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50 };

/**
 * A sink that hands `write` the lines of one event-loop turn at once: a busy gateway's
 * access log would otherwise cost a syscall per request. Warnings and errors go out at
 * once (with whatever is pending before them); `flush()` writes what is pending.
 */
export function batchedSink(write: (text: string) => void): LogSink & { flush(): void } {
  let pending = "";
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (pending === "") return;
    const text = pending;
    pending = "";
    write(text);
  };
  return {
    flush,
    write(line, level) {
      pending += line + "\n";
      if (level === "warn" || level === "error") return flush();
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    },
  };
}

/** stderr, batched per turn; what is pending when the process exits is written then. */
export const stderrSink: LogSink = (() => {
  const sink = batchedSink((text) => process.stderr.write(text));
  process.on("exit", sink.flush);
  return sink;
})();

interface Shared {
  level: Level;
  components: Record<string, Level>;
  format: "text" | "json";
  sinks: LogSink[];
  now: () => number;
}

class ComponentLogger implements Logger {
  readonly #shared: Shared;
  readonly #fields: Fields;
  constructor(
    readonly component: string,
    shared: Shared,
    fields: Fields,
  ) {
    this.#shared = shared;
    this.#fields = fields;
  }

  enabled(level: Level): boolean {
    const threshold = this.#shared.components[this.component] ?? this.#shared.level;
    return rank[level] >= rank[threshold];
  }

  trace(msg: string, fields?: Fields) { this.#log("trace", msg, fields); }
  debug(msg: string, fields?: Fields) { this.#log("debug", msg, fields); }
  info(msg: string, fields?: Fields) { this.#log("info", msg, fields); }
  warn(msg: string, fields?: Fields) { this.#log("warn", msg, fields); }
  error(msg: string, fields?: Fields) { this.#log("error", msg, fields); }

  with(fields: Fields): Logger {
    return new ComponentLogger(this.component, this.#shared, { ...this.#fields, ...fields });
  }

  child(component: string): Logger {
    return new ComponentLogger(component, this.#shared, this.#fields);
  }

  #log(level: Level, msg: string, fields?: Fields) {
    if (!this.enabled(level)) return;
    const all = redactFields({ ...this.#fields, ...fields });
    const time = new Date(this.#shared.now()).toISOString();
    const line =
      this.#shared.format === "json"
        ? JSON.stringify({ time, level, component: this.component, msg, ...all }, jsonReplacer)
        : formatText(time, level, this.component, msg, all);
    for (const sink of this.#shared.sinks) sink.write(line, level);
  }
}

function jsonReplacer(_key: string, value: unknown) {
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Error) return { name: value.name, message: value.message, code: (value as { code?: unknown }).code };
  return value;
}

function formatText(time: string, level: Level, component: string, msg: string, fields: Fields): string {
  let line = `${time} ${level.toUpperCase().padEnd(5)} [${component}] ${msg}`;
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    const text = typeof value === "string" ? value : JSON.stringify(value, jsonReplacer);
    line += ` ${key}=${/\s/.test(text ?? "") ? JSON.stringify(text) : text}`;
  }
  return line;
}

/** Creates the root logger; every other logger comes from `child()` or `with()`. */
export function createLogger(component: string, options: LogOptions = {}): Logger {
  const shared: Shared = {
    level: options.level ?? "info",
    components: options.components ?? {},
    format: options.format ?? (process.stderr.isTTY ? "text" : "json"),
    sinks: options.sinks ?? [stderrSink],
    now: options.now ?? Date.now,
  };
  return new ComponentLogger(component, shared, {});
}

/** A logger that drops everything; for library use and tests that do not look at logs. */
export const silentLogger: Logger = createLogger("silent", { level: "error", sinks: [] });
