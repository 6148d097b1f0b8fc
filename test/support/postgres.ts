/**
 * @module
 * A throwaway PostgreSQL cluster for integration tests: `initdb` into a temp folder owned
 * by the `postgres` OS user, a random loopback port, scram-sha-256 password auth for a
 * test user that owns a test database, TLS with a certificate from our test CA, and
 * durability turned off so it starts fast. `restart()` keeps the port and data folder,
 * which is what pool-recovery tests need. Needs the Debian `postgresql` package.
 */
import { chownSync, copyFileSync, chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { createTestCa } from "./certs.ts";
import type { TestDatabaseServer } from "./database-server.ts";
import { freePort } from "./ports.ts";

/** `url` is `postgres://…`; `stopServer()` is an immediate shutdown. */
export interface TestPostgres extends TestDatabaseServer {
  /** Runs SQL as the superuser over the unix socket; returns psql's unaligned output. */
  psql(sql: string): Promise<string>;
}

const INSTALL_HINT = "PostgreSQL binaries not found: `apt-get install -y postgresql` is needed for these tests";

function binDir(): string {
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, "bin", "initdb"))) : [];
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  if (!newest) throw new Error(INSTALL_HINT);
  return join(root, newest, "bin");
}

/** Runs a command as the `postgres` OS user (initdb and postgres refuse to run as root). */
async function asPostgres(argv: string[]): Promise<string> {
  const prefix = userInfo().username === "postgres" ? [] : ["runuser", "-u", "postgres", "--"];
  const child = Bun.spawn([...prefix, ...argv], { stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  if (code !== 0) throw new Error(`${argv[0]?.split("/").pop()} failed (${code}): ${err || out}`);
  return out;
}

/**
 * Starts a fresh cluster. With `tls: true` the server also accepts TLS (plain TCP stays
 * allowed). `maxConnections` defaults to 60.
 */
export async function startPostgres(options: { tls?: boolean; maxConnections?: number } = {}): Promise<TestPostgres> {
  const bin = binDir();
  const dir = mkdtempSync(join(tmpdir(), "outpost-pg-"));
  const pgUser = userInfo().username === "postgres" ? undefined : Bun.spawnSync(["id", "-u", "postgres"]).stdout.toString().trim();
  const pgGroup = pgUser && Bun.spawnSync(["id", "-g", "postgres"]).stdout.toString().trim();
  if (pgUser) chownSync(dir, Number(pgUser), Number(pgGroup));
  const data = join(dir, "data");
  const port = await freePort();
  const password = `pw-${crypto.randomUUID()}`;
  await asPostgres([join(bin, "initdb"), "-D", data, "-U", "postgres", "--auth-local=trust", "--auth-host=scram-sha-256",
    "--no-sync", "-E", "UTF8", "--no-instructions"]);

  let caPem = "";
  let caPath = "";
  const settings = [
    `port=${port}`, "listen_addresses='127.0.0.1'", `unix_socket_directories='${dir}'`, "fsync=off",
    "synchronous_commit=off", "full_page_writes=off", `max_connections=${options.maxConnections ?? 60}`, "log_min_messages=warning",
    "password_encryption='scram-sha-256'",
  ];
  if (options.tls) {
    const ca = createTestCa("Outpost PG Test CA");
    const leaf = ca.issue("postgres-server");
    for (const [from, to] of [[leaf.certPath, "server.crt"], [leaf.keyPath, "server.key"]] as const) {
      copyFileSync(from, join(data, to));
      chmodSync(join(data, to), 0o600);
      if (pgUser) chownSync(join(data, to), Number(pgUser), Number(pgGroup));
    }
    settings.push("ssl=on", "ssl_cert_file='server.crt'", "ssl_key_file='server.key'");
    caPem = ca.certPem;
    caPath = ca.certPath;
  }
  writeFileSync(join(data, "postgresql.auto.conf"), settings.join("\n") + "\n");
  if (pgUser) chownSync(join(data, "postgresql.auto.conf"), Number(pgUser), Number(pgGroup));

  const pgCtl = join(bin, "pg_ctl");
  const startServer = async () => {
    await asPostgres([pgCtl, "-D", data, "-l", join(dir, "server.log"), "-w", "-t", "30", "start"]);
  };
  const stopServer = async () => {
    await asPostgres([pgCtl, "-D", data, "-m", "immediate", "-w", "stop"]).catch(() => {});
  };
  const psql = (sql: string) =>
    asPostgres([join(bin, "psql"), "-h", dir, "-p", String(port), "-U", "postgres", "-d", "postgres", "-XAtq", "-v", "ON_ERROR_STOP=1", "-c", sql]);

  await startServer();
  const user = "outpost";
  const database = "outpost";
  await psql(`CREATE ROLE ${user} LOGIN PASSWORD '${password}'`);
  await psql(`CREATE DATABASE ${database} OWNER ${user}`);

  return {
    host: "127.0.0.1",
    port,
    user,
    password,
    database,
    caPem,
    caPath,
    url: `postgres://${user}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`,
    startServer,
    stopServer,
    psql,
    async restart() {
      await stopServer();
      await startServer();
    },
    async stop() {
      await stopServer();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
