/**
 * @module
 * The profiles this agent offers: one managed connector per profile of config.yml, and
 * the summary (name, kind, hash) the agent reports in its hello so the gateway can route
 * and spot drift. A reload keeps the connectors of unchanged profiles and replaces the
 * rest; replaced ones are closed after a grace period so in-flight calls can finish.
 */
import type { LoadedConfig } from "../config/load.ts";
import { PROFILE_KINDS, type ProfileKind } from "../config/types.ts";
import type { AnyConnector } from "../connectors/connector.ts";
import type { Managed } from "../connectors/managed.ts";
import { createManagedProfile, type ProfileOf } from "../connectors/registry.ts";
import type { Logger } from "../log/logger.ts";
import type { ProfileSummary } from "../protocol/index.ts";

export interface OfferedProfile {
  name: string;
  kind: ProfileKind;
  hash: string;
  connector: Managed<AnyConnector>;
}

export interface ProfileSetOptions {
  log: Logger;
  /** Folder relative paths in profiles resolve against: config.yml's folder. */
  baseDir: string;
  /** Seconds replaced connectors stay open for calls in flight. Defaults to `agent.shutdown_grace` (30). */
  graceSeconds?: number;
}

export class ProfileSet {
  readonly #profiles: Map<string, OfferedProfile>;

  private constructor(profiles: Map<string, OfferedProfile>) {
    this.#profiles = profiles;
  }

  /** Builds the set; connectors initialise lazily on their first request. */
  static async create(loaded: LoadedConfig, options: ProfileSetOptions, previous?: ProfileSet): Promise<ProfileSet> {
    const profiles = new Map<string, OfferedProfile>();
    const config = loaded.config;
    for (const kind of PROFILE_KINDS) {
      for (const [name, profile] of Object.entries(config[kind] ?? {})) {
        const hash = loaded.hashes[name] ?? "";
        const kept = previous?.get(name);
        if (kept && kept.kind === kind && kept.hash === hash) {
          profiles.set(name, kept);
          continue;
        }
        const connector = await createManagedProfile(kind, name, profile as ProfileOf<typeof kind>, {
          log: options.log,
          baseDir: options.baseDir,
          concurrency: config.agent?.profile_concurrency,
          queueSize: config.agent?.queue_size,
        });
        profiles.set(name, { name, kind, hash, connector });
      }
    }
    const next = new ProfileSet(profiles);
    if (previous) previous.#closeReplaced(next, (options.graceSeconds ?? config.agent?.shutdown_grace ?? 30) * 1000);
    return next;
  }

  get(name: string): OfferedProfile | undefined {
    return this.#profiles.get(name);
  }

  summaries(): ProfileSummary[] {
    return [...this.#profiles.values()].map(({ name, kind, hash }) => ({ name, kind, hash }));
  }

  /** Whether the gateway would see a different offer than `other`'s. */
  sameOffer(other: ProfileSet): boolean {
    const a = JSON.stringify(this.summaries());
    return a === JSON.stringify(other.summaries());
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.#profiles.values()].map((profile) => profile.connector.close()));
  }

  #closeReplaced(next: ProfileSet, graceMs: number) {
    const replaced = [...this.#profiles.values()].filter((profile) => next.get(profile.name) !== profile);
    if (replaced.length === 0) return;
    setTimeout(() => void Promise.allSettled(replaced.map((profile) => profile.connector.close())), graceMs).unref();
  }
}

