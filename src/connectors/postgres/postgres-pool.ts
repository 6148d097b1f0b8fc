/**
 * @module
 * Builds a postgres.js client for one profile: the connector's connections are clients of
 * `pool: { size: 1 }` each (`postgres-slots.ts`). postgres.js opens connections lazily, drops
 * broken ones and reconnects on the next query, so a database restart heals without
 * recreating the pool. Session parameters go in the startup packet: they hold for every
 * connection the pool ever opens, including `default_transaction_read_only` for
 * `readonly` profiles (the server enforces it; a write fails with SQLSTATE 25006).
 */
import type { ConnectionOptions } from "node:tls";
import postgres from "postgres";
import type { DatabaseProfile, SslSettings } from "../../config/types.ts";
import type { Logger } from "../../log/logger.ts";
import { readPem } from "../pem.ts";
import { POSTGRES_TYPE_OVERRIDES, SESSION_PARAMETERS } from "./postgres-types.ts";

export type PostgresPool = postgres.Sql;

/** Creates the pool; no connection is opened until the first query. */
export function createPostgresPool(profile: DatabaseProfile, log: Logger): PostgresPool {
  const connection: Record<string, string> = { ...SESSION_PARAMETERS, application_name: "outpost" };
  if (profile.readonly) connection.default_transaction_read_only = "on";
  return postgres<{}>({
    host: profile.host ?? "localhost",
    port: profile.port ?? 5432,
    database: profile.database,
    username: profile.username,
    password: profile.password,
    idle_timeout: profile.pool?.idle_timeout ?? 300,
    connect_timeout: profile.connect_timeout ?? 10,
    backoff: reconnectDelaySeconds,
    ssl: postgresSsl(profile.ssl) as postgres.Options<{}>["ssl"],
    connection,
    types: POSTGRES_TYPE_OVERRIDES as never,
    // Its array parsers misread NULL elements; ours need no catalogue round trip per connection.
    fetch_types: false,
    // 25P01: the ROLLBACK that opens every call's reset (postgres-session.ts) when no transaction was open.
    onnotice: (notice) => notice.code !== "25P01" && log.debug("postgres notice", { severity: notice.severity, message: notice.message }),
    onparameter: () => {},
    ...(profile.options as Record<string, never> | undefined),
    // After `options`: the connector's clients hold one connection each (postgres-slots.ts).
    max: profile.pool?.size ?? 10,
  }) as unknown as PostgresPool;
}

/**
 * Seconds before a broken connection tries again: 25 ms doubling to 1 s, with jitter.
 * postgres.js's own default grows to 20 s, and its attempt count is shared by the whole
 * pool, so ten connections failing once while the database restarts already reach that
 * cap: requests arriving after the database is back would wait up to 20 s for nothing.
 * An attempt per connection and second against a database that is down costs little.
 */
export function reconnectDelaySeconds(attempts: number): number {
  return (0.5 + Math.random() / 2) * Math.min(0.025 * 2 ** attempts, 1);
}

/**
 * TLS options for a mode. `require` encrypts without checking the certificate;
 * `verify-ca` checks the chain against `ca` but not the host name; `verify-full` checks
 * both. Defaults to `disable`.
 */
export function postgresSsl(ssl: SslSettings | undefined): false | ConnectionOptions {
  const mode = ssl?.mode ?? "disable";
  if (mode === "disable") return false;
  const files: ConnectionOptions = {
    ca: ssl?.ca ? readPem(ssl.ca, "ca") : undefined,
    cert: ssl?.cert ? readPem(ssl.cert, "cert") : undefined,
    key: ssl?.key ? readPem(ssl.key, "key") : undefined,
  };
  if (mode === "require") return { ...files, rejectUnauthorized: false };
  if (mode === "verify-ca") return { ...files, rejectUnauthorized: true, checkServerIdentity: () => undefined };
  return { ...files, rejectUnauthorized: true };
}

