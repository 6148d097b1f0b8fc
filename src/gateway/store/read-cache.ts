/**
 * @module
 * The two store reads every invoke request makes (its token by hash, its group by name),
 * answered from memory. The cache trusts nothing it holds once the store's
 * `changeVersion()` has moved: a token revoked or a group changed by the admin API, the CLI
 * in another process or (later) another gateway node is seen on the next request after the
 * store notices. Misses are not remembered, so random tokens cannot fill it; hits are
 * bounded by `maxEntries` (the whole cache is dropped past it, which only costs re-reads).
 */
import type { ApiTokenRecord, GatewayStore, GroupRecord } from "./store.ts";

export type StoredToken = ApiTokenRecord & { secretHash: string };

export interface StoreReadCacheOptions {
  store: GatewayStore;
  /** Entries kept per kind before the cache starts over. Defaults to `10000`. */
  maxEntries?: number;
}

export class StoreReadCache {
  readonly #store: GatewayStore;
  readonly #maxEntries: number;
  readonly #tokens = new Map<string, StoredToken>();
  readonly #groups = new Map<string, GroupRecord>();
  #version: number;

  constructor(options: StoreReadCacheOptions) {
    this.#store = options.store;
    this.#maxEntries = options.maxEntries ?? 10_000;
    this.#version = this.#store.changeVersion();
  }

  /** The token whose secret hashes to `secretHash` (revoked ones too), as `findApiTokenByHash`. */
  tokenByHash(secretHash: string): Promise<StoredToken | undefined> {
    return this.#read(this.#tokens, secretHash, () => this.#store.findApiTokenByHash(secretHash));
  }

  /** The group called `name`, as `getGroupByName`. */
  groupByName(name: string): Promise<GroupRecord | undefined> {
    return this.#read(this.#groups, name, () => this.#store.getGroupByName(name));
  }

  async #read<T>(map: Map<string, T>, key: string, load: () => Promise<T | undefined>): Promise<T | undefined> {
    const version = this.#current();
    const hit = map.get(key);
    if (hit !== undefined) return hit;
    const value = await load();
    // Kept only if nothing changed while it was read: otherwise it may already be stale.
    if (value !== undefined && this.#store.changeVersion() === version) {
      if (map.size >= this.#maxEntries) map.clear();
      map.set(key, value);
    }
    return value;
  }

  #current(): number {
    const version = this.#store.changeVersion();
    if (version !== this.#version) {
      this.#version = version;
      this.#tokens.clear();
      this.#groups.clear();
    }
    return version;
  }
}
