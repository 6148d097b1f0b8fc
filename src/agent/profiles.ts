/**
 * @module
 * The profiles this agent offers: one managed connector per profile of config.yml, and
 * the summary (name, kind, hash, health) the agent reports in its hello so the gateway can
 * route, spot drift and show which targets fail. Health comes from the start-up check
 * (`doctor/profile-checks.ts`) and then from the managed wrapper, which says when a target
 * starts or stops failing. A reload keeps the connectors (and health) of unchanged profiles
 * and replaces the rest; replaced ones are closed after a grace period so in-flight calls
 * can finish.
 */
import type { LoadedConfig } from "../config/load.ts";
import { PROFILE_KINDS, type ProfileKind } from "../config/types.ts";
import type { AnyConnector } from "../connectors/connector.ts";
import type { Managed } from "../connectors/managed.ts";
import { createManagedProfile, type ProfileOf } from "../connectors/registry.ts";
import type { Logger } from "../log/logger.ts";
import { MAX_HEALTH_REASON, type ProfileHealth, type ProfileSummary } from "../protocol/index.ts";
import { checkProfileHealth, type ProfileHealthResult } from "./doctor/profile-checks.ts";

export interface OfferedProfile {
  name: string;
  kind: ProfileKind;
  hash: string;
  connector: Managed<AnyConnector>;
  /** As last found; undefined until the first check or call. */
  health?: ProfileHealth;
}

export interface ProfileSetOptions {
  log: Logger;
  /** Folder relative paths in profiles resolve against: config.yml's folder. */
  baseDir: string;
  /** Seconds replaced connectors stay open for calls in flight. Defaults to `agent.shutdown_grace` (30). */
  graceSeconds?: number;
  /** Called when a profile's health flips (ok ↔ failing). */
  onHealthChange?: () => void;
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
        const offered = { name, kind, hash } as OfferedProfile;
        offered.connector = await createManagedProfile(kind, name, profile as ProfileOf<typeof kind>, {
          log: options.log,
          baseDir: options.baseDir,
          concurrency: config.agent?.profile_concurrency,
          queueSize: config.agent?.queue_size,
          onHealth: (failure) => {
            setHealth(offered, failure ? { ok: false, reason: `${failure.code}: ${failure.message}` } : { ok: true });
            options.onHealthChange?.();
          },
        });
        profiles.set(name, offered);
      }
    }
    const next = new ProfileSet(profiles);
    if (previous) previous.#closeReplaced(next, (options.graceSeconds ?? config.agent?.shutdown_grace ?? 30) * 1000);
    return next;
  }

  get(name: string): OfferedProfile | undefined {
    return this.#profiles.get(name);
  }

  all(): OfferedProfile[] {
    return [...this.#profiles.values()];
  }

  summaries(): ProfileSummary[] {
    return this.all().map(({ name, kind, hash, health }) => (health ? { name, kind, hash, health } : { name, kind, hash }));
  }

  /** Checks every profile whose health is not known yet (the doctor's profile check); `onHealthChange` fires if any flipped. */
  async checkHealth(loaded: LoadedConfig, onChange?: () => void): Promise<void> {
    await Promise.all(this.all().filter((profile) => !profile.health).map(async (profile) => {
      const result = await checkProfileHealth(loaded, profile);
      if (setHealth(profile, result)) onChange?.();
    }));
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


/** Records `result` on `profile`; true when its status changed. The reason is cut to what the protocol carries. */
function setHealth(profile: OfferedProfile, result: ProfileHealthResult): boolean {
  const before = profile.health?.status;
  profile.health = result.ok ? { status: "ok" } : { status: "failing", reason: (result.reason ?? "failing").slice(0, MAX_HEALTH_REASON) };
  return before !== profile.health.status;
}
