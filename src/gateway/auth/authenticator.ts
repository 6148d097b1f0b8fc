/**
 * @module
 * Who is calling: `Authorization: Bearer opt_…` becomes a `Principal`, or a GatewayError
 * (401 missing/unknown/revoked, 429 while the source address is blocked for failing too
 * often). What they may do is a separate, synchronous check: `authorizeGroup` and
 * `requireAdmin` throw 403. Failures are logged with the address and the reason, never
 * with the presented token.
 */
import type { Logger } from "../../log/logger.ts";
import { GatewayError } from "../http-errors.ts";
import { StoreReadCache } from "../store/read-cache.ts";
import type { GatewayStore } from "../store/store.ts";
import { FailureLimiter } from "./failure-limiter.ts";
import { hashesEqual, hashSecret, looksLikeApiToken } from "./secrets.ts";

/** The caller behind a valid API token. */
export interface Principal {
  tokenId: string;
  name: string;
  admin: boolean;
  /** Group names the token may use; `null` means every group. */
  groups: string[] | null;
}

export interface AuthenticatorOptions {
  store: GatewayStore;
  /** Token lookups go through it. Defaults to a new `StoreReadCache` on `store`. */
  cache?: StoreReadCache;
  log: Logger;
  /** Shared with the activation endpoint so both kinds of guessing count. Defaults to a new `FailureLimiter()`. */
  limiter?: FailureLimiter;
  /** `lastUsedAt` is written at most this often per token. Defaults to `60000`. */
  touchEveryMs?: number;
  /** Injected for tests. Defaults to `Date.now`. */
  now?: () => number;
  /** Hears every refused credential's reason (for `/metrics`), as a snake_case constant. Defaults to none. */
  onFailure?: (reason: string) => void;
}

export class Authenticator {
  readonly limiter: FailureLimiter;
  readonly #store: GatewayStore;
  readonly #cache: StoreReadCache;
  /** When this process last wrote each token's `lastUsedAt` (the cached record's copy goes stale). */
  readonly #touchedAt = new Map<string, number>();
  readonly #log: Logger;
  readonly #touchEveryMs: number;
  readonly #now: () => number;
  readonly #onFailure: (reason: string) => void;

  constructor(options: AuthenticatorOptions) {
    this.#store = options.store;
    this.#cache = options.cache ?? new StoreReadCache({ store: options.store });
    this.#log = options.log;
    this.limiter = options.limiter ?? new FailureLimiter({ now: options.now });
    this.#touchEveryMs = options.touchEveryMs ?? 60_000;
    this.#now = options.now ?? Date.now;
    this.#onFailure = options.onFailure ?? (() => {});
  }

  /** Resolves the request's bearer token. `remoteIp` keys the failure limit. */
  async authenticate(request: Request, remoteIp: string): Promise<Principal> {
    const header = request.headers.get("authorization");
    if (!header) throw this.#fail(remoteIp, "missing", "missing Authorization header; send `Authorization: Bearer <token>`", false);
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) throw this.#fail(remoteIp, "malformed", "the Authorization header must be `Bearer <token>`");
    const secret = match[1]!;
    if (!looksLikeApiToken(secret)) throw this.#fail(remoteIp, "malformed", "invalid API token");
    const hash = hashSecret(secret);
    // Looking up by SHA-256 leaks nothing useful through timing (an attacker cannot steer
    // the hash); the constant-time compare guards against a store that matches loosely.
    const token = await this.#cache.tokenByHash(hash);
    if (!token || !hashesEqual(token.secretHash, hash)) throw this.#fail(remoteIp, "unknown", "invalid API token");
    if (token.revokedAt !== null) throw this.#fail(remoteIp, "revoked", "this API token has been revoked", true, token.name);
    const touchedAt = this.#touchedAt.get(token.id) ?? token.lastUsedAt;
    if (touchedAt === null || this.#now() - touchedAt >= this.#touchEveryMs) {
      if (this.#touchedAt.size >= 10_000) this.#touchedAt.clear();
      this.#touchedAt.set(token.id, this.#now());
      await this.#store.touchApiToken(token.id);
    }
    return { tokenId: token.id, name: token.name, admin: token.admin, groups: token.groups };
  }

  /** Throws RATE_LIMITED (429 with Retry-After) while `remoteIp` has failed too often. */
  assertNotBlocked(remoteIp: string): void {
    const wait = this.limiter.retryAfterSeconds(remoteIp);
    if (wait > 0) {
      throw new GatewayError("RATE_LIMITED", `too many failed attempts from this address; retry in ${wait} s`, { retryAfterSeconds: wait });
    }
  }

  /** Counts a failed attempt against `remoteIp` and logs it (no secret). */
  recordFailure(remoteIp: string, kind: string, fields: Record<string, unknown> = {}): void {
    this.limiter.recordFailure(remoteIp);
    this.#onFailure(kind.replace(/\W+/g, "_"));
    this.#log.warn("authentication failed", { remoteIp, reason: kind, ...fields });
  }

  /**
   * A failed attempt. While the address is over its limit the answer is 429 — but only
   * failures are refused: a valid token always gets in, so one client guessing behind a
   * shared address (a NAT, a load balancer) cannot lock the others out. Tokens are 256-bit
   * random, so the limit is about noise and logs, not about a guess ever succeeding.
   */
  #fail(remoteIp: string, reason: string, message: string, counts = true, tokenName?: string): GatewayError {
    // A request without any header is a client that forgot, not a guess; it is not counted.
    if (!counts) {
      this.#onFailure(reason);
      return new GatewayError("UNAUTHENTICATED", message);
    }
    const wait = this.limiter.retryAfterSeconds(remoteIp);
    if (wait > 0) {
      this.#onFailure("rate_limited");
      return new GatewayError("RATE_LIMITED", `too many failed attempts from this address; retry in ${wait} s`, { retryAfterSeconds: wait });
    }
    this.recordFailure(remoteIp, reason, { name: tokenName });
    return new GatewayError("UNAUTHENTICATED", message);
  }
}

/** Throws FORBIDDEN unless the principal's scope includes `groupName`. */
export function authorizeGroup(principal: Principal, groupName: string): void {
  if (canUseGroup(principal, groupName)) return;
  throw new GatewayError("FORBIDDEN", `token "${principal.name}" may not use group "${groupName}"`);
}

/** Whether the principal may use `groupName`: admin tokens and unscoped tokens may use every group. */
export function canUseGroup(principal: Principal, groupName: string): boolean {
  return principal.admin || principal.groups === null || principal.groups.includes(groupName);
}

/** Throws FORBIDDEN unless the token is an admin token. */
export function requireAdmin(principal: Principal): void {
  if (!principal.admin) throw new GatewayError("FORBIDDEN", `token "${principal.name}" is not an admin token`);
}
