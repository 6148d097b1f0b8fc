/**
 * @module
 * A concurrency limit with a bounded wait queue, shared by the managed wrapper (per
 * profile) and the scripts connector (per scripts profile). Beyond the queue a caller gets
 * `UNAVAILABLE` (retryable) at once instead of piling up behind a stuck backend.
 */
import { ConnectorError } from "./errors.ts";
import { abortReason } from "./context.ts";

export interface LimiterOptions {
  /** Calls running at once. */
  concurrency: number;
  /** Calls waiting for a slot; one more is refused with UNAVAILABLE. */
  queueSize: number;
  /** Names the limit in the UNAVAILABLE message, e.g. `profile orders`. */
  label: string;
}

interface Waiter {
  grant: () => void;
}

export class Limiter {
  readonly #options: LimiterOptions;
  readonly #queue: Waiter[] = [];
  #running = 0;

  constructor(options: LimiterOptions) {
    this.#options = options;
  }

  get running(): number {
    return this.#running;
  }

  get waiting(): number {
    return this.#queue.length;
  }

  /** Waits for a slot and returns its release function (idempotent). An aborted signal leaves the queue with its reason. */
  async acquire(signal: AbortSignal): Promise<() => void> {
    if (signal.aborted) throw abortReason(signal);
    if (this.#running < this.#options.concurrency) return this.#grant();
    if (this.#queue.length >= this.#options.queueSize) {
      throw new ConnectorError("UNAVAILABLE", `too many requests waiting for ${this.#options.label}`, { retryable: true });
    }
    return await new Promise<() => void>((resolve, reject) => {
      const waiter: Waiter = {
        grant: () => {
          signal.removeEventListener("abort", onAbort);
          resolve(this.#grant());
        },
      };
      const onAbort = () => {
        const index = this.#queue.indexOf(waiter);
        if (index >= 0) this.#queue.splice(index, 1);
        reject(abortReason(signal));
      };
      signal.addEventListener("abort", onAbort, { once: true });
      this.#queue.push(waiter);
    });
  }

  #grant(): () => void {
    this.#running++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#running--;
      this.#queue.shift()?.grant();
    };
  }
}
