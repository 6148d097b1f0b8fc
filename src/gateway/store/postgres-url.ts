/**
 * @module
 * Reads a store URL, `postgres://user:password@host:port/db?sslmode=…&sslrootcert=…`, into
 * postgres.js options. TLS follows libpq's `sslmode` words, because operators know them:
 * `disable`, `prefer` (TLS if offered, unchecked), `require` (TLS, unchecked — or checked
 * against `sslrootcert` as `verify-ca` when one is given, as libpq does), `verify-ca` (the
 * chain must lead to `sslrootcert`, or the system CAs), `verify-full` (that, and the
 * certificate must name the URL's host). Without `sslmode` the connection is plain, as
 * postgres.js does. Both words are taken out of the URL: postgres.js would send unknown
 * parameters to the server as settings.
 *
 * The password never leaves this module in text meant for people: `redactStoreUrl` is
 * what logs and errors print.
 */
import { readFileSync } from "node:fs";
import { checkServerIdentity, type ConnectionOptions } from "node:tls";

const SSL_MODES = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"] as const;
type SslMode = (typeof SSL_MODES)[number];

export interface PostgresStoreTarget {
  /** The URL without the TLS words, for postgres.js. */
  url: string;
  ssl: false | "prefer" | ConnectionOptions;
  /** The URL with its password replaced by `***`, for logs and errors. */
  redacted: string;
  /** The password (to scrub from driver errors), or `""`. */
  password: string;
}

/** True for the URLs this store takes (`postgres://`, `postgresql://`). */
export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url);
}

/** `postgres://user:***@host/db`: safe to print. Unparsable input prints as `<unparsable store URL>`. */
export function redactStoreUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "<unparsable store URL>";
  }
}

/** Throws an `Error` naming what is wrong (never the password). */
export function parseStoreUrl(url: string): PostgresStoreTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error("the store URL is not a URL; give postgres://user:password@host:port/database");
  }
  const redacted = redactStoreUrl(url);
  if (!isPostgresUrl(url)) throw new Error(`the store URL ${redacted} is not postgres://…`);
  if (!parsed.hostname) throw new Error(`the store URL ${redacted} names no host`);
  const mode = parsed.searchParams.get("sslmode") ?? "disable";
  const rootCert = parsed.searchParams.get("sslrootcert") ?? undefined;
  parsed.searchParams.delete("sslmode");
  parsed.searchParams.delete("sslrootcert");
  if (!SSL_MODES.includes(mode as SslMode)) throw new Error(`the store URL ${redacted} has sslmode=${mode}; use one of ${SSL_MODES.join(", ")}`);
  return { url: parsed.toString(), ssl: tlsOptions(mode as SslMode, rootCert, parsed.hostname, redacted), redacted, password: decodeURIComponent(parsed.password) };
}

function tlsOptions(mode: SslMode, rootCert: string | undefined, host: string, redacted: string): PostgresStoreTarget["ssl"] {
  if (mode === "disable") return false;
  if (mode === "allow" || mode === "prefer") return "prefer";
  if (mode === "require" && rootCert === undefined) return { rejectUnauthorized: false };
  const ca = rootCert === undefined || rootCert === "system" ? undefined : readRootCert(rootCert, redacted);
  // URL hosts keep IPv6 brackets; certificates name the bare address.
  const bare = host.replace(/^\[(.*)\]$/, "$1");
  return {
    rejectUnauthorized: true,
    ...(ca ? { ca } : {}),
    checkServerIdentity: mode === "verify-full" ? (_name, cert) => checkServerIdentity(bare, cert) : () => undefined,
  };
}

function readRootCert(path: string, redacted: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    throw new Error(`cannot read sslrootcert ${path} of the store URL ${redacted}: ${(error as Error).message}`);
  }
}

/** The driver's message with the password scrubbed out, in case a driver ever echoes it. */
export function scrub(message: string, password: string): string {
  return password ? message.split(password).join("***").split(encodeURIComponent(password)).join("***") : message;
}
