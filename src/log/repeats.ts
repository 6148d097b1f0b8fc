/**
 * @module
 * One line per distinct problem: the first time a problem (a key such as the error's code
 * and message) is seen it is logged; the same problem again within `windowMs` is only
 * counted, and the next line about it, once the window has passed, says how many times it
 * happened meanwhile (`repeated`). A different problem is logged at once; `clear()` (the
 * thing worked again) forgets it, so its return is news again.
 */

export interface RepeatFilterOptions {
  /** How long the same problem stays quiet after it was logged. Defaults to `60000` ms. */
  windowMs?: number;
  /** Injected for tests. Defaults to `Date.now`. */
  now?: () => number;
}

export class RepeatFilter {
  readonly #windowMs: number;
  readonly #now: () => number;
  #key: string | undefined;
  #loggedAt = 0;
  #suppressed = 0;

  constructor(options: RepeatFilterOptions = {}) {
    this.#windowMs = options.windowMs ?? 60_000;
    this.#now = options.now ?? Date.now;
  }

  /**
   * Whether to log this occurrence of `key`: `undefined` to stay quiet, else the number of
   * times it happened since its last line (0 for a new problem).
   */
  admit(key: string): number | undefined {
    const now = this.#now();
    if (key === this.#key && now - this.#loggedAt < this.#windowMs) {
      this.#suppressed++;
      return undefined;
    }
    const repeated = key === this.#key ? this.#suppressed : 0;
    this.#key = key;
    this.#loggedAt = now;
    this.#suppressed = 0;
    return repeated;
  }

  /** The problem went away: the next one is logged whatever it is. */
  clear(): void {
    this.#key = undefined;
    this.#suppressed = 0;
  }
}
