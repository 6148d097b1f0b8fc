/**
 * @module
 * Reconnect delays for the agent's supervisor: exponential with full jitter (a uniform
 * draw between 0 and the exponential ceiling, so a fleet that lost its gateway at once
 * does not return at once), capped, and reset only after a connection stayed up for a
 * grace period — a gateway that accepts and then drops at once still gets backed off.
 * A go-away (NORMAL/RESTARTING) earns one immediate retry.
 */

export interface BackoffOptions {
  /** Ceiling of the first delay. Defaults to 500 ms. */
  baseMs?: number;
  /** Largest delay. Defaults to 30 s. */
  capMs?: number;
  /** How long a connection must last before the attempt count resets. Defaults to 10 s. */
  graceMs?: number;
  /** Uniform in [0, 1). Defaults to `Math.random`. */
  random?: () => number;
  /** Defaults to `performance.now`. */
  now?: () => number;
}

export class Backoff {
  readonly #baseMs: number;
  readonly #capMs: number;
  readonly #graceMs: number;
  readonly #random: () => number;
  readonly #now: () => number;
  #attempt = 0;
  #connectedAt: number | undefined;
  #immediate = false;

  constructor(options: BackoffOptions = {}) {
    this.#baseMs = options.baseMs ?? 500;
    this.#capMs = options.capMs ?? 30_000;
    this.#graceMs = options.graceMs ?? 10_000;
    this.#random = options.random ?? Math.random;
    this.#now = options.now ?? (() => performance.now());
  }

  /** Failed attempts since the last reset. */
  get attempts(): number {
    return this.#attempt;
  }

  /** The delay before the next attempt, in ms; counts the attempt. */
  next(): number {
    if (this.#immediate) {
      this.#immediate = false;
      return 0;
    }
    const ceiling = Math.min(this.#capMs, this.#baseMs * 2 ** Math.min(this.#attempt, 30));
    this.#attempt++;
    return Math.floor(this.#random() * ceiling);
  }

  /** The connection (handshake included) succeeded. */
  markConnected(): void {
    this.#connectedAt = this.#now();
  }

  /** The connection ended; resets the attempt count only if it lasted the grace period. */
  markDisconnected(): void {
    if (this.#connectedAt !== undefined && this.#now() - this.#connectedAt >= this.#graceMs) this.#attempt = 0;
    this.#connectedAt = undefined;
  }

  /** After a go-away: the next `next()` returns 0 once, without counting an attempt. */
  retryImmediately(): void {
    this.#immediate = true;
  }
}
