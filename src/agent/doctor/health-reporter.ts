/**
 * @module
 * Tells the gateway when a profile's health changed. Health travels in the hello's profile
 * summaries, so a change moves the agent to a new connection through the supervisor's
 * make-before-break reconnect (no new message kind, nothing dropped). That costs one
 * handshake per change, so changes are gathered for `delayMs`, sent only when what the
 * gateway has differs from what it would get, and at most once per `minIntervalMs`: a
 * flapping database costs a reconnect every ten seconds at worst.
 */

export interface HealthReporterOptions {
  /** The profile summaries as the next hello would carry them, serialised. */
  current: () => string;
  reconnect: (reason: string) => void;
  /** Defaults to 1 s. */
  delayMs?: number;
  /** Defaults to 10 s. */
  minIntervalMs?: number;
  now?: () => number;
}

export class HealthReporter {
  readonly #options: HealthReporterOptions;
  #sent: string | undefined;
  #lastReconnect = Number.NEGATIVE_INFINITY;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;

  constructor(options: HealthReporterOptions) {
    this.#options = options;
  }

  /** Records what a hello just carried (call from the supervisor's `info`). */
  sent(snapshot: string): void {
    this.#sent = snapshot;
  }

  /** A profile's health flipped: schedule a reconnect if the gateway's copy is stale by then. */
  changed(): void {
    if (this.#stopped || this.#timer || this.#sent === undefined) return;
    const now = (this.#options.now ?? Date.now)();
    const wait = Math.max(this.#options.delayMs ?? 1000, this.#lastReconnect + (this.#options.minIntervalMs ?? 10_000) - now);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (this.#stopped || this.#options.current() === this.#sent) return;
      this.#lastReconnect = (this.#options.now ?? Date.now)();
      this.#options.reconnect("profile health changed");
    }, wait);
    this.#timer.unref?.();
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
  }
}
