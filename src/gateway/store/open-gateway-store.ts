/**
 * @module
 * Opens the gateway's store in its data folder, creating both on first start. The folder
 * is 0700 and `gateway.db` 0600 because the file holds every agent's key and the token
 * hashes; SQLite gives its `-wal`/`-shm` side files the database file's mode. With a
 * `postgres://` store URL the data folder is not used: the PostgreSQL store opens instead.
 */
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from "node:fs";
import { join } from "node:path";
import { isPostgresUrl, redactStoreUrl } from "./postgres-url.ts";
import { SqliteGatewayStore } from "./sqlite-store.ts";
import type { GatewayStore } from "./store.ts";

export const GATEWAY_DB_FILE = "gateway.db";

export interface OpenStoreOptions {
  /** Injected for tests. Defaults to `Date.now`. */
  now?: () => number;
  /**
   * `postgres://…` (or `postgresql://…`) opens the PostgreSQL store there instead of
   * `gateway.db`. Defaults to none: SQLite in the data folder.
   */
  storeUrl?: string;
  /** Told when the PostgreSQL store's LISTEN connection drops or comes back. */
  onListenState?: (listening: boolean, message?: string) => void;
}

/** Opens (and migrates) `<dataDir>/gateway.db`. */
export async function openGatewayStore(dataDir: string, options: OpenStoreOptions = {}): Promise<GatewayStore> {
  if (options.storeUrl !== undefined && options.storeUrl !== "") {
    if (!isPostgresUrl(options.storeUrl)) throw new Error(`the store ${redactStoreUrl(options.storeUrl)} is not postgres://…; leave it out for SQLite in the data folder`);
    // Loaded only when asked for, so a SQLite gateway never pays for the driver.
    const { openPostgresStore } = await import("./postgres-store.ts");
    return openPostgresStore({ url: options.storeUrl, now: options.now, onListenState: options.onListenState });
  }
  if (!existsSync(dataDir)) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    // mkdir's mode is filtered by the umask; chmod makes it exact.
    chmodSync(dataDir, 0o700);
  }
  const path = join(dataDir, GATEWAY_DB_FILE);
  if (!existsSync(path)) {
    closeSync(openSync(path, "a", 0o600));
    chmodSync(path, 0o600);
  }
  return new SqliteGatewayStore({ path, now: options.now });
}
