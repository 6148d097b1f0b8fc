/**
 * @module
 * A throwaway MariaDB server for integration tests: `mariadb-install-db` into a temp
 * folder, `mariadbd` on a random loopback port with its socket in that folder, TLS with a
 * certificate from our test CA, and a test user with a password that owns a test
 * database. `restart()` keeps the port and data folder for pool-recovery tests. Needs the
 * Debian `mariadb-server` package.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { createTestCa } from "./certs.ts";
import type { TestDatabaseServer } from "./database-server.ts";
import { freePort } from "./ports.ts";

/** `url` is `mysql://…`; `stopServer()` kills the server. */
export interface TestMariaDb extends TestDatabaseServer {
  /** Runs SQL as root over the unix socket; returns the client's tab-separated output. */
  sql(sql: string): Promise<string>;
}

const INSTALL_HINT = "MariaDB binaries not found: `apt-get install -y mariadb-server` is needed for these tests";

function findBinary(name: string): string {
  const found = ["/usr/sbin", "/usr/bin", "/usr/local/bin", "/usr/local/sbin"].map((d) => join(d, name)).find((p) => existsSync(p));
  if (!found) throw new Error(INSTALL_HINT);
  return found;
}

async function run(argv: string[]): Promise<string> {
  const child = Bun.spawn(argv, { stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  if (code !== 0) throw new Error(`${argv[0]?.split("/").pop()} failed (${code}): ${err || out}`);
  return out;
}

/** Starts a fresh server. With `tls: true` it also accepts TLS (plain TCP stays allowed). */
export async function startMariaDb(options: { tls?: boolean } = {}): Promise<TestMariaDb> {
  const server = findBinary("mariadbd");
  const installDb = findBinary("mariadb-install-db");
  const client = findBinary("mariadb");
  const dir = mkdtempSync(join(tmpdir(), "outpost-maria-"));
  const data = join(dir, "data");
  const socket = join(dir, "mysqld.sock");
  const port = await freePort();
  const password = `pw-${crypto.randomUUID()}`;
  await run([installDb, `--datadir=${data}`, "--user=root", "--auth-root-authentication-method=normal", "--skip-test-db"]);

  const args = [
    "--no-defaults", `--datadir=${data}`, `--socket=${socket}`, `--port=${port}`, "--bind-address=127.0.0.1", "--user=root",
    `--pid-file=${join(dir, "mysqld.pid")}`, `--log-error=${join(dir, "error.log")}`, "--skip-name-resolve",
    "--innodb-flush-log-at-trx-commit=0", "--innodb-buffer-pool-size=32M", "--skip-log-bin", "--max-connections=100", "--max-recursive-iterations=1000000",
  ];
  let caPem = "";
  let caPath = "";
  if (options.tls) {
    const ca = createTestCa("Outpost MariaDB Test CA");
    const leaf = ca.issue("mariadb-server");
    args.push(`--ssl-cert=${leaf.certPath}`, `--ssl-key=${leaf.keyPath}`, `--ssl-ca=${ca.certPath}`);
    caPem = ca.certPem;
    caPath = ca.certPath;
  }

  let child: Subprocess | undefined;
  const sql = (text: string) => run([client, "--no-defaults", `--socket=${socket}`, "-uroot", "-N", "-B", "-e", text]);
  const startServer = async () => {
    child = Bun.spawn([server, ...args], { stdout: "ignore", stderr: "ignore" });
    const started = Date.now();
    for (;;) {
      if (child.exitCode !== null) throw new Error(`mariadbd exited with ${child.exitCode}; see ${join(dir, "error.log")}`);
      if (existsSync(socket) && (await sql("SELECT 1").then(() => true, () => false))) return;
      if (Date.now() - started > 30_000) throw new Error("mariadbd did not start within 30 s");
      await Bun.sleep(50);
    }
  };
  const stopServer = async () => {
    if (!child) return;
    child.kill("SIGKILL");
    await child.exited;
    child = undefined;
  };

  await startServer();
  const user = "outpost";
  const database = "outpost";
  await sql(
    `CREATE USER '${user}'@'%' IDENTIFIED BY '${password}'; CREATE DATABASE ${database}; ` +
      `GRANT ALL ON ${database}.* TO '${user}'@'%';`,
  );

  return {
    host: "127.0.0.1",
    port,
    user,
    password,
    database,
    caPem,
    caPath,
    url: `mysql://${user}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`,
    stopServer,
    startServer,
    sql,
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
