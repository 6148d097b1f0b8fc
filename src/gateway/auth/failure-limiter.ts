/**
 * @module
 * Slows down guessing: a token bucket per source address that only failed attempts
 * (bad token, bad activation code) drain. While a bucket is empty every attempt from
 * that address is answered 429 before any secret is checked, so a correct guess made
 * while blocked does not get through either. Successful requests cost nothing.
 */

export interface FailureLimiterOptions {
  /** Failures allowed in a burst, and refilled per `windowMs`. Defaults to `10`. */
  maxFailures?: number;
  /** Defaults to `60000` (one minute). */
  windowMs?: number;
  /** Addresses tracked at most; the one that failed longest ago is forgotten first. Defaults to `10000`. */
  maxTracked?: number;
  /** Injected for tests. Defaults to `Date.now`. */
  now?: () => number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

export class FailureLimiter {
  readonly #capacity: number;
  readonly #windowMs: number;
  readonly #maxTracked: number;
  readonly #now: () => number;
  readonly #buckets = new Map<string, Bucket>();

  constructor(options: FailureLimiterOptions = {}) {
    this.#capacity = options.maxFailures ?? 10;
    this.#windowMs = options.windowMs ?? 60_000;
    this.#maxTracked = options.maxTracked ?? 10_000;
    this.#now = options.now ?? Date.now;
  }

  /** Seconds to wait before `ip` may try again, or `0` when it may try now. */
  retryAfterSeconds(ip: string): number {
    const bucket = this.#refill(ip);
    if (!bucket || bucket.tokens >= 1) return 0;
    const msPerToken = this.#windowMs / this.#capacity;
    // Rounded to whole ms first so float dust (1000.0000001 ms) does not add a second.
    return Math.max(1, Math.ceil(Math.round((1 - bucket.tokens) * msPerToken) / 1000));
  }

  /** Counts one failed attempt from `ip`. */
  recordFailure(ip: string): void {
    const bucket = this.#refill(ip) ?? { tokens: this.#capacity, updatedAt: this.#now() };
    bucket.tokens = Math.max(0, bucket.tokens - 1);
    this.#buckets.delete(ip);
    this.#buckets.set(ip, bucket);
    if (this.#buckets.size > this.#maxTracked) this.#forgetOne();
  }

  #refill(ip: string): Bucket | undefined {
    const bucket = this.#buckets.get(ip);
    if (!bucket) return undefined;
    const now = this.#now();
    bucket.tokens = Math.min(this.#capacity, bucket.tokens + ((now - bucket.updatedAt) * this.#capacity) / this.#windowMs);
    bucket.updatedAt = now;
    if (bucket.tokens >= this.#capacity) {
      this.#buckets.delete(ip);
      return undefined;
    }
    return bucket;
  }

  /** Map order is last-failure order, so the first entry is the stalest address. */
  #forgetOne(): void {
    const oldest = this.#buckets.keys().next();
    if (!oldest.done) this.#buckets.delete(oldest.value);
  }
}
