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
