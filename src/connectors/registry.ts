/**
 * @module
 * Turns one profile of config.yml into its connector. Each backend is loaded with
 * `await import()` only when a profile uses it, so an agent without SQL Server never pays
 * for tedious (~90 ms of start-up) and one without databases loads no driver at all.
 * `createManagedProfile` adds the managed wrapper the dispatcher calls through.
 */
import type { DatabaseProfile, ExtensionProfile, FilesProfile, HttpProfile, ProfileKind, ScriptsProfile } from "../config/types.ts";
import type { Logger } from "../log/logger.ts";
import type { AnyConnector, DatabaseConnector } from "./connector.ts";
import type { ConnectorDeps } from "./deps.ts";
import { ConnectorError } from "./errors.ts";
import { createManagedConnector, type Managed, type ManagedOptions } from "./managed.ts";
import { resolveSslPaths } from "./pem.ts";
import { logStatements } from "./statement-log.ts";

export type ProfileOf<K extends ProfileKind> = {
  databases: DatabaseProfile;
  files: FilesProfile;
  http: HttpProfile;
  scripts: ScriptsProfile;
  extensions: ExtensionProfile;
}[K];

/** The log component each kind writes under (`logging.components` keys). */
export const LOG_COMPONENT: Record<ProfileKind, string> = {
  databases: "sql",
  files: "files",
  http: "http",
  scripts: "scripts",
  extensions: "ext",
};

/** Creates the bare connector for a profile, loading its backend module on first use. */
export async function createProfileConnector<K extends ProfileKind>(kind: K, profile: ProfileOf<K>, deps: ConnectorDeps): Promise<AnyConnector> {
  switch (kind) {
    case "databases":
      return await createDatabaseConnector(resolveSslPaths(profile as DatabaseProfile, deps.baseDir), deps);
    case "files": {
      const { createFilesConnector } = await import("./files/files-connector.ts");
      return createFilesConnector(profile as FilesProfile, deps);
    }
    case "http": {
      const { createHttpConnector } = await import("./http/http-connector.ts");
      return createHttpConnector(profile as HttpProfile, deps);
    }
    case "scripts": {
      const { createScriptsConnector } = await import("./scripts/scripts-connector.ts");
      return createScriptsConnector(profile as ScriptsProfile, deps);
    }
    case "extensions": {
      const { createExtensionConnector } = await import("./extensions/extension-connector.ts");
      return createExtensionConnector(profile as ExtensionProfile, deps);
    }
    default:
      throw new ConnectorError("BAD_REQUEST", `unknown profile kind "${String(kind)}"`);
  }
}

async function createDatabaseConnector(profile: DatabaseProfile, deps: ConnectorDeps): Promise<AnyConnector> {
  switch (profile.adapter) {
    case "sqlite": {
      const { createSqliteConnector } = await import("./sqlite/sqlite-connector.ts");
      return createSqliteConnector(profile, deps);
    }
    // ---- SQL servers: implemented in postgres/, mysql/, sqlserver/ (each exports its factory) ----
    case "postgresql": {
      const { createPostgresConnector } = await import("./postgres/postgres-connector.ts");
      return createPostgresConnector(profile, deps);
    }
    case "mysql": {
      const { createMysqlConnector } = await import("./mysql/mysql-connector.ts");
      return createMysqlConnector(profile, deps);
    }
    case "sqlserver": {
      const { createSqlServerConnector } = await import("./sqlserver/sqlserver-connector.ts");
      return createSqlServerConnector(profile, deps);
    }
    default:
      throw new ConnectorError("BAD_REQUEST", `profile ${deps.name}: unknown database adapter "${String(profile.adapter)}"`);
  }
}

export interface ManagedProfileOptions {
  /** The agent's root logger; the connector gets its kind's component (see LOG_COMPONENT). */
  log: Logger;
  /** Folder relative paths in the profile resolve against (config.yml's folder). Defaults to the working directory. */
  baseDir?: string;
  /** `agent.profile_concurrency`. Defaults to `16`. */
  concurrency?: number;
  /** `agent.queue_size`. Defaults to `256`. */
  queueSize?: number;
  /** See `ManagedOptions.onHealth`. */
  onHealth?: ManagedOptions["onHealth"];
}

/** The connector for one profile inside its managed wrapper; init happens on the first call. */
export async function createManagedProfile<K extends ProfileKind>(
  kind: K,
  name: string,
  profile: ProfileOf<K>,
  options: ManagedProfileOptions,
): Promise<Managed<AnyConnector>> {
  const log = options.log.child(LOG_COMPONENT[kind]).with({ profile: name });
  const created = await createProfileConnector(kind, profile, { name, log, baseDir: options.baseDir });
  const connector = kind === "databases"
    ? logStatements(created as DatabaseConnector, { log, withParams: (profile as DatabaseProfile).debug === true })
    : created;
  const seconds = kind === "databases" ? (profile as DatabaseProfile).query_timeout ?? 300 : kind === "http" ? (profile as HttpProfile).timeout ?? 60 : undefined;
  return createManagedConnector(connector, {
    profile: name,
    log,
    concurrency: kind === "scripts" ? scriptsConcurrency(profile as ScriptsProfile, options.concurrency) : options.concurrency,
    queueSize: options.queueSize,
    onHealth: options.onHealth,
    timeoutMs: seconds === undefined ? undefined : seconds * 1000,
    // A database call may not outlast query_timeout, whatever deadline the caller sent.
    maxDurationMs: kind === "databases" ? seconds! * 1000 : undefined,
  });
}

/**
 * A scripts profile's `concurrency_limit` (default 10) is its managed limit, never above
 * `agent.profile_concurrency`: one limiter per profile, as for every other kind.
 */
function scriptsConcurrency(profile: ScriptsProfile, agentLimit = 16): number {
  return Math.min(profile.concurrency_limit ?? 10, agentLimit);
}
