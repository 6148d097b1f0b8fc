/** @module What the throwaway PostgreSQL and MariaDB servers of the tests have in common. */

export interface TestDatabaseServer {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  /** The PEM of the CA that signed the server's certificate (empty without TLS). */
  caPem: string;
  caPath: string;
  /** A connection URL with user, password, host, port and database. */
  url: string;
  /** Stops the server; the data folder stays for `startServer()`. */
  stopServer(): Promise<void>;
  /** Starts the server again on the same port and data folder. */
  startServer(): Promise<void>;
  restart(): Promise<void>;
  /** Stops the server and deletes the data folder. */
  stop(): Promise<void>;
}

/**
 * A `databases:` profile entry for config.yml pointing at `server` (two-space indented under
 * `databases:`), with any extra settings as YAML lines (`"ssl: { mode: verify-full, ca: … }"`).
 */
export function databaseProfileYaml(name: string, adapter: "postgresql" | "mysql", server: TestDatabaseServer, extra: string[] = []): string {
  return [
    `  ${name}:`,
    `    adapter: ${adapter}`,
    "    host: 127.0.0.1",
    `    port: ${server.port}`,
    `    database: ${server.database}`,
    `    username: ${server.user}`,
    `    password: ${server.password}`,
    ...extra.map((line) => `    ${line}`),
    "",
  ].join("\n");
}
