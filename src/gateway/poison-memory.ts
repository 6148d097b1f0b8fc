/**
 * @module
 * Requests suspected of freezing an agent. When an agent's link dies by keepalive timeout
 * (no frame at all for the timeout: its event loop is stuck, or the network black-holed),
 * every request in flight on it is a suspect; the router does not retry them (see
 * router.ts). This memory keeps their fingerprints (group, op, profile, args) for a while,
 * so a caller who sends the same request again does not take down the next agent too.
 *
 * A suspect is refused only once the evidence is good: it was the only request that link
 * took down, or it was in flight at two such deaths. A request that merely shared a
 * frozen agent with the culprit gets one strike, which expires — so an innocent health
 * check is not locked out for what its neighbour did.
 */
import { createHash } from "node:crypto";
import { GatewayError } from "./http-errors.ts";

export interface PoisonMemoryOptions {
  /** How long a suspect is remembered, ms. Defaults to 600,000 (10 min). */
  ttlMs?: number;
  /** Most fingerprints kept; the oldest go first. Defaults to 1,000. */
  maxEntries?: number;
  /** Injected for tests. Defaults to `Date.now`. */
  now?: () => number;
}

interface Suspect {
  /** The link deaths (one error object per dead session) this request was in flight at. */
  deaths: Set<object>;
  until: number;
}

export class PoisonMemory {
  readonly #suspects = new Map<string, Suspect>();
  /** How many requests each death took down: a death that took down one names its culprit. */
  readonly #victims = new WeakMap<object, number>();
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #now: () => number;

  constructor(options: PoisonMemoryOptions = {}) {
    this.#ttlMs = options.ttlMs ?? 600_000;
    this.#maxEntries = options.maxEntries ?? 1000;
    this.#now = options.now ?? Date.now;
  }

  /** True when nothing is remembered: the router then skips fingerprinting altogether. */
  get empty(): boolean {
    return this.#suspects.size === 0;
  }

  /** Notes that the request with `fingerprint` was in flight when the link died of `death`. */
  suspect(fingerprint: string, death: object): void {
    this.#victims.set(death, (this.#victims.get(death) ?? 0) + 1);
    const entry = this.#suspects.get(fingerprint) ?? { deaths: new Set<object>(), until: 0 };
    entry.deaths.add(death);
    entry.until = this.#now() + this.#ttlMs;
    this.#suspects.delete(fingerprint); // re-inserted last: the Map's order is the eviction order
    this.#suspects.set(fingerprint, entry);
    for (const oldest of this.#suspects.keys()) {
      if (this.#suspects.size <= this.#maxEntries) break;
      this.#suspects.delete(oldest);
    }
  }

  /** Throws QUARANTINED when `fingerprint` is a confirmed suspect. */
  check(fingerprint: string): void {
    const entry = this.#suspects.get(fingerprint);
    if (!entry) return;
    const left = entry.until - this.#now();
    if (left <= 0) return void this.#suspects.delete(fingerprint);
    const confirmed = entry.deaths.size >= 2 || [...entry.deaths].some((death) => this.#victims.get(death) === 1);
    if (!confirmed) return;
    throw new GatewayError(
      "QUARANTINED",
      `this request was running when an agent stopped answering (keepalive timeout), so it is not sent to another agent for ${Math.ceil(left / 1000)} s; check the agent's log for what it does`,
      { retryable: false },
    );
  }
}

/**
 * What makes two requests the same: group, operation, profile and arguments (never the
 * body), as a SHA-256 so a caller cannot craft a collision that locks out someone else's
 * request, and so 10 MiB of arguments are not kept in memory.
 */
export function fingerprintOf(request: { groupId: string; op: string; profile: string; args: Record<string, unknown> }): string {
  return createHash("sha256").update(`${request.groupId}\u0000${request.op}\u0000${request.profile}\u0000${JSON.stringify(request.args)}`).digest("base64url");
}
