/**
 * @module
 * One log line per distinct problem, not one per retry (the agent's connection attempts, a
 * profile's failing init on every request). The first failure of a
 * cause is logged as it happens; repeats of the same cause are counted and reported as one
 * line per window ("… (12 more times in the last 60 s)"), or when the cause changes or the
 * connection comes back, so a long outage stays readable and a new cause is seen at once.
 */
import type { Logger } from "./logger.ts";

export type FailureLevel = "warn" | "error";

export interface FailureLogOptions {
  log: Logger;
  /** Injected for tests. Defaults to `Date.now`. */
  now?: () => number;
  /** How long repeats are counted before one summary line. Defaults to 60 s. */
  windowMs?: number;
}

export class FailureLog {
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #windowMs: number;
  #last: { level: FailureLevel; message: string; cause: string; fields: Record<string, unknown> } | undefined;
  #repeats = 0;
  #since = 0;

  constructor(options: FailureLogOptions) {
    this.#log = options.log;
    this.#now = options.now ?? Date.now;
    this.#windowMs = options.windowMs ?? 60_000;
  }

  /**
   * Repeats are recognised by `cause` (defaults to the message, when the message names the
   * cause itself); `fields` may vary between tries, the latest are logged with the count.
   */
  report(level: FailureLevel, message: string, fields: Record<string, unknown> = {}, cause = message): void {
    const now = this.#now();
    if (this.#last?.cause === cause && this.#last.message === message) {
      this.#repeats++;
      this.#last.fields = fields;
      if (now - this.#since >= this.#windowMs) this.#flush(now);
      return;
    }
    this.#flush(now);
    this.#last = { level, message, cause, fields };
    this.#since = now;
    this.#log[level](message, fields);
  }

  /** The problem is over (connected): reports repeats not yet logged and forgets the cause. */
  clear(): void {
    this.#flush(this.#now());
    this.#last = undefined;
  }

  #flush(now: number) {
    if (this.#last && this.#repeats > 0) {
      const seconds = Math.max(1, Math.round((now - this.#since) / 1000));
      this.#log[this.#last.level](`${this.#last.message} (${this.#repeats} more ${this.#repeats === 1 ? "time" : "times"} in the last ${seconds} s)`, this.#last.fields);
    }
    this.#repeats = 0;
    this.#since = now;
  }
}
