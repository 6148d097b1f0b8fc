/**
 * @module
 * Builds the postgres.js pool for one profile. postgres.js opens connections lazily, drops
 * broken ones and reconnects on the next query, so a database restart heals without
 * recreating the pool. Session parameters go in the startup packet: they hold for every
 * connection the pool ever opens, including `default_transaction_read_only` for
 * `readonly` profiles (the server enforces it; a write fails with SQLSTATE 25006).
 */
import { readFileSync } from "node:fs";
import type { ConnectionOptions } from "node:tls";
import postgres from "postgres";
import type { DatabaseProfile, SslSettings } from "../../config/types.ts";
import type { Logger } from "../../log/logger.ts";
import { ConnectorError } from "../errors.ts";
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
    max: profile.pool?.size ?? 10,
    idle_timeout: profile.pool?.idle_timeout ?? 300,
    connect_timeout: profile.connect_timeout ?? 10,
    ssl: postgresSsl(profile.ssl) as postgres.Options<{}>["ssl"],
    connection,
    types: POSTGRES_TYPE_OVERRIDES as never,
    // Its array parsers misread NULL elements; ours need no catalogue round trip per connection.
    fetch_types: false,
    onnotice: (notice) => log.debug("postgres notice", { severity: notice.severity, message: notice.message }),
    onparameter: () => {},
    ...(profile.options as Record<string, never> | undefined),
  }) as unknown as PostgresPool;
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

/** Reads a PEM file named in `ssl`; a missing file is a configuration error, not a network one. */
export function readPem(path: string, what: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    throw new ConnectorError("BAD_REQUEST", `cannot read ssl.${what} file ${path}`, { cause: error });
  }
}
