/**
 * @module
 * Reconnect delays for the agent's supervisor: exponential with full jitter (a uniform
 * draw between 0 and the exponential ceiling, so a fleet that lost its gateway at once
 * does not return at once), capped. Only failures grow the ceiling — a refused handshake,
 * a dial that does not connect, a session ended by policy. A session that ended after a
 * good handshake without a refusal means the gateway restarted or crashed: the schedule
 * starts over, so agents are back within seconds even when the gateway restarts every few
 * seconds. A gateway that keeps accepting and dropping at once is still not hammered: each
 * short-lived session in a row raises a floor under the ceiling (1, 2, then 4 s at most).
 * Everything resets once a session stayed up for a grace period. A go-away
 * (NORMAL/RESTARTING) earns one immediate retry.
 */

export interface BackoffOptions {
  /** Ceiling of the first delay. Defaults to 500 ms. */
  baseMs?: number;
  /** Largest delay. Defaults to 30 s. */
  capMs?: number;
  /** How long a connection must last to count as healthy. Defaults to 10 s. */
  graceMs?: number;
  /** Highest floor that short-lived sessions in a row put under the ceiling. Defaults to 4 s. */
  restartFloorMs?: number;
  /** Uniform in [0, 1). Defaults to `Math.random`. */
  random?: () => number;
  /** Defaults to `performance.now`. */
  now?: () => number;
}

export class Backoff {
  readonly #baseMs: number;
  readonly #capMs: number;
  readonly #graceMs: number;
  readonly #restartFloorMs: number;
  readonly #random: () => number;
  readonly #now: () => number;
  #attempt = 0;
  /** Sessions in a row that ended, without a refusal, before the grace period. */
  #shortLived = 0;
  #connectedAt: number | undefined;
  #immediate = false;

  constructor(options: BackoffOptions = {}) {
    this.#baseMs = options.baseMs ?? 500;
    this.#capMs = options.capMs ?? 30_000;
    this.#graceMs = options.graceMs ?? 10_000;
    this.#restartFloorMs = options.restartFloorMs ?? 4000;
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
    const exponential = this.#baseMs * 2 ** Math.min(this.#attempt, 30);
    const floor = this.#shortLived === 0 ? 0 : Math.min(this.#restartFloorMs, this.#baseMs * 2 ** Math.min(this.#shortLived - 1, 30));
    const ceiling = Math.min(this.#capMs, Math.max(exponential, floor));
    this.#attempt++;
    return Math.floor(this.#random() * ceiling);
  }

  /** The connection (handshake included) succeeded. */
  markConnected(): void {
    this.#connectedAt = this.#now();
  }

  /**
   * The connection ended. A healthy one (it lasted the grace period) resets everything; a
   * short one that was `refused` (policy go-away, a refusal close code) keeps backing off;
   * any other short one is a gateway restart: the schedule starts over above its floor.
   */
  markDisconnected(options: { refused?: boolean } = {}): void {
    if (this.#connectedAt === undefined) return;
    const lasted = this.#now() - this.#connectedAt;
    this.#connectedAt = undefined;
    if (lasted >= this.#graceMs) {
      this.#attempt = 0;
      this.#shortLived = 0;
    } else if (!options.refused) {
      this.#attempt = 0;
      this.#shortLived++;
    }
  }

  /** After a go-away: the next `next()` returns 0 once, without counting an attempt. */
  retryImmediately(): void {
    this.#immediate = true;
  }
}
