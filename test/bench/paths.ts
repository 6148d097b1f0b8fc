/**
 * @module
 * The three ways a cloud caller reaches the private database, behind one shape so every
 * scenario runs the same code on each: `direct` (postgres.js straight to PostgreSQL),
 * `ssh` (postgres.js through the reverse tunnel's bastion port) and `outpost` (the typed
 * client `src/client` calling the gateway over HTTPS with keep-alive), and `relay` (fetch to
 * the bare relay of Outpost's own design, `bare-relay.ts`). TLS is on for all:
 * postgres.js verifies the database's certificate; the client verifies the gateway's.
 */
import postgres from "postgres";
import { OutpostClient } from "../../src/client/index.ts";
import type { TestPostgres } from "../support/postgres.ts";
import { BULK_SQL } from "./servers.ts";

export type PathName = "direct" | "ssh" | "relay" | "outpost";

export interface DbPath {
  name: PathName;
  /** One small parameter-bound query; throws unless it answers the parameter. */
  query(n: number): Promise<void>;
  /** Streams the `bulk` table; resolves with the rows seen. */
  streamBulk(): Promise<number>;
  close(): Promise<void>;
}

const SMALL_SQL = "select $1::int as n";

/** postgres.js on `port` (the database's own, or the tunnel's), pool of 10 like the agent's. */
export function postgresPath(name: "direct" | "ssh", pg: TestPostgres, port: number): DbPath {
  const sql = postgres({
    host: "127.0.0.1", port, database: pg.database, username: pg.user, password: pg.password,
    ssl: { ca: pg.caPem, rejectUnauthorized: true }, max: 10, fetch_types: false, onnotice: () => {},
  });
  return {
    name,
    async query(n) {
      const rows = await sql.unsafe(SMALL_SQL, [n], { prepare: true });
      if (rows[0]?.n !== n) throw new Error(`${name}: wrong answer`);
    },
    async streamBulk() {
      let rows = 0;
      // forEach streams rows as they arrive without holding the result: the fastest postgres.js read.
      await sql.unsafe(BULK_SQL).forEach(() => {
        rows++;
      });
      return rows;
    },
    close: () => sql.end({ timeout: 1 }),
  };
}

/** The gateway through the typed client; `group` picks `one` (one agent) or `pair`. */
export function outpostClient(url: string, token: string, caPem: string): OutpostClient {
  return new OutpostClient({ url, token, ca: caPem });
}

export function outpostPath(client: OutpostClient, group: string): DbPath {
  const db = client.group(group).db("pg");
  return {
    name: "outpost",
    async query(n) {
      const result = await db.query<{ n: number }>(SMALL_SQL, [n]);
      if (result.rows[0]?.n !== n) throw new Error("outpost: wrong answer");
    },
    async streamBulk() {
      let rows = 0;
      for await (const _row of db.stream(BULK_SQL)) rows++;
      return rows;
    },
    close: async () => {},
  };
}

/** The bare relay (`bare-relay.ts`): fetch with keep-alive, as the typed client does; no bulk path. */
export function relayPath(url: string, caPem: string): DbPath {
  return {
    name: "relay",
    async query(n) {
      const response = await fetch(`${url}/query`, { method: "POST", body: JSON.stringify({ sql: SMALL_SQL, params: [n] }), tls: { ca: caPem } });
      const body = (await response.json()) as { rows?: { n: number }[] };
      if (body.rows?.[0]?.n !== n) throw new Error("relay: wrong answer");
    },
    streamBulk: () => Promise.reject(new Error("the bare relay has no streaming path")),
    close: async () => {},
  };
}
