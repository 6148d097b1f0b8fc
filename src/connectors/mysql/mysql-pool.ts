/**
 * @module
 * The mysql2 pool for one profile, and the two things it does beside pooling: every new
 * connection gets its session set up before its first statement (UTC, and
 * `SET SESSION TRANSACTION READ ONLY` for `readonly` profiles — a failure there discards
 * the connection, so a write can never run on a session that missed it); every connection
 * goes back through `release()`, which rolls back what the call left open and, on
 * `readonly` profiles, sets READ ONLY again — a caller's `SET SESSION TRANSACTION READ
 * WRITE` or `START TRANSACTION READ WRITE` ends with its call. A running statement can be
 * stopped with `KILL QUERY <thread id>` sent on a separate connection.
 * mysql2 drops connections that break, so the pool heals after a server restart.
 */
import mysql from "mysql2";
import type { DatabaseProfile, SslSettings } from "../../config/types.ts";
import { readPem } from "../pem.ts";

export type MysqlPool = mysql.Pool;
export type MysqlConnection = mysql.PoolConnection;

/** Driver options shared by the pool and the one-off connection that sends KILL QUERY. */
function connectionOptions(profile: DatabaseProfile): mysql.ConnectionOptions {
  return {
    host: profile.host ?? "localhost",
    port: profile.port ?? 3306,
    database: profile.database,
    user: profile.username,
    password: profile.password,
    connectTimeout: (profile.connect_timeout ?? 10) * 1000,
    ssl: mysqlSsl(profile.ssl),
    supportBigNumbers: true,
    bigNumberStrings: true,
    dateStrings: true,
    decimalNumbers: false,
    // JSON documents as the text the server sent: parsing them rounds big numbers (docs/connectors.md, Values).
    jsonStrings: true,
    rowsAsArray: true,
    timezone: "Z",
    ...(profile.options as mysql.ConnectionOptions | undefined),
    // Not overridable: a second statement could undo the session's read-only setting.
    multipleStatements: false,
  };
}

/** Creates the pool (size defaults to `10`, idle timeout to `300` s); connections open on demand. */
export function createMysqlPool(profile: DatabaseProfile): MysqlPool {
  const size = profile.pool?.size ?? 10;
  return mysql.createPool({
    ...connectionOptions(profile),
    connectionLimit: size,
    maxIdle: size,
    idleTimeout: (profile.pool?.idle_timeout ?? 300) * 1000,
    waitForConnections: true,
    queueLimit: 0,
  });
}

const prepared = new WeakSet<object>();

/** Takes a connection from the pool with its session set up (see the module comment). */
export async function acquire(pool: MysqlPool, profile: DatabaseProfile): Promise<MysqlConnection> {
  const connection = await new Promise<MysqlConnection>((resolve, reject) =>
    pool.getConnection((error, conn) => (error ? reject(error) : resolve(conn))),
  );
  if (prepared.has(connection.connection ?? connection)) return connection;
  try {
    await run(connection, "SET time_zone = '+00:00'");
    if (profile.readonly) await run(connection, "SET SESSION TRANSACTION READ ONLY");
    prepared.add(connection.connection ?? connection);
    return connection;
  } catch (error) {
    connection.destroy();
    throw error;
  }
}

/**
 * Hands a connection back to the pool clean: no transaction left open (it would swallow
 * the next caller's writes, or keep a READ WRITE transaction on a read-only profile) and,
 * for `readonly` profiles, the session READ ONLY again. A connection that cannot be reset
 * is discarded rather than pooled.
 */
export async function release(connection: MysqlConnection, profile: DatabaseProfile): Promise<void> {
  try {
    await run(connection, "ROLLBACK");
    if (profile.readonly) await run(connection, "SET SESSION TRANSACTION READ ONLY");
    connection.release();
  } catch {
    connection.destroy();
  }
}

/** Runs a statement without parameters (session setup, transaction control). */
export function run(connection: mysql.Connection | MysqlConnection, sql: string): Promise<void> {
  return new Promise((resolve, reject) => connection.query(sql, (error) => (error ? reject(error) : resolve())));
}

/** Stops whatever thread `threadId` is running, from a connection of its own (the busy one cannot take commands). */
export async function killQuery(profile: DatabaseProfile, threadId: number): Promise<void> {
  const killer = mysql.createConnection(connectionOptions(profile));
  try {
    await run(killer, `KILL QUERY ${Math.trunc(threadId)}`);
  } finally {
    killer.destroy();
  }
}

/** TLS options for a mode, as for PostgreSQL. Defaults to `disable`. */
export function mysqlSsl(ssl: SslSettings | undefined): mysql.SslOptions | undefined {
  const mode = ssl?.mode ?? "disable";
  if (mode === "disable") return undefined;
  const files: mysql.SslOptions = {
    ca: ssl?.ca ? readPem(ssl.ca, "ca") : undefined,
    cert: ssl?.cert ? readPem(ssl.cert, "cert") : undefined,
    key: ssl?.key ? readPem(ssl.key, "key") : undefined,
  };
  if (mode === "require") return { ...files, rejectUnauthorized: false };
  if (mode === "verify-ca") return { ...files, rejectUnauthorized: true, checkServerIdentity: () => undefined } as mysql.SslOptions;
  return { ...files, rejectUnauthorized: true };
}
