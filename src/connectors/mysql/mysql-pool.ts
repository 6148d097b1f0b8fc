/**
 * @module
 * The mysql2 pool for one profile, and the two things it does beside pooling: every new
 * connection gets its session set up before its first statement (`setUp`: UTC, and for
 * `readonly` profiles a READ ONLY session inside a READ ONLY transaction — a failure there
 * discards the connection, so a statement can never run on a session that missed it);
 * every connection goes back through `release()`, which resets the whole session and sets
 * it up again, so nothing one call did (a transaction, `SET autocommit=0`, a temporary
 * table, a variable, a lock) reaches the next caller. A running statement can be stopped
 * with `KILL QUERY <thread id>` sent on a separate connection.
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

/**
 * The session every call starts from: UTC, and on `readonly`
 * profiles a READ ONLY session with a READ ONLY transaction already open, so the caller's
 * statement runs inside it. Inside that transaction `SET STATEMENT tx_read_only=0 FOR
 * INSERT …` and stored functions that flip `tx_read_only` are refused by the server (a
 * READ ONLY session alone lets the former write).
 */
async function setUp(connection: MysqlConnection, profile: DatabaseProfile): Promise<void> {
  await run(connection, "SET time_zone = '+00:00'");
  if (!profile.readonly) return;
  await run(connection, "SET SESSION TRANSACTION READ ONLY");
  await run(connection, "START TRANSACTION READ ONLY");
}

/** Takes a connection from the pool with its session set up (see the module comment). */
export async function acquire(pool: MysqlPool, profile: DatabaseProfile): Promise<MysqlConnection> {
  const connection = await new Promise<MysqlConnection>((resolve, reject) =>
    pool.getConnection((error, conn) => (error ? reject(error) : resolve(conn))),
  );
  if (prepared.has(connection.connection ?? connection)) return connection;
  try {
    await setUp(connection, profile);
    prepared.add(connection.connection ?? connection);
    return connection;
  } catch (error) {
    connection.destroy();
    throw error;
  }
}

/**
 * Hands a connection back to the pool as `acquire` first gave it out. `COM_RESET_CONNECTION`
 * rolls back the call's transaction and drops everything else a session can keep: temporary
 * tables, user variables, session variables (sql_mode, autocommit, character set, time zone,
 * tx_read_only), named locks (`GET_LOCK`), table locks, HANDLERs, prepared statements. It
 * keeps the current database, so the profile's own is selected again (a profile without one
 * uses COM_CHANGE_USER instead, which also forgets a database chosen with `USE`). A
 * connection that cannot be restored is destroyed, never pooled. Callers need not wait: the
 * connection only becomes available to the next caller once this has finished.
 */
export async function release(connection: MysqlConnection, profile: DatabaseProfile): Promise<void> {
  try {
    if (profile.database === undefined) await changeUser(connection, profile);
    else {
      await reset(connection);
      await run(connection, `USE \`${profile.database.replaceAll("`", "``")}\``);
    }
    await setUp(connection, profile);
    connection.release();
  } catch {
    connection.destroy();
  }
}

function reset(connection: MysqlConnection): Promise<void> {
  return new Promise((resolve, reject) => connection.reset((error: unknown) => (error ? reject(error) : resolve())));
}

function changeUser(connection: MysqlConnection, profile: DatabaseProfile): Promise<void> {
  return new Promise((resolve, reject) =>
    connection.changeUser({ user: profile.username, password: profile.password }, (error) => (error ? reject(error) : resolve())));
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
