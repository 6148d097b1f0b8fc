/**
 * The bare relay's agent: one TLS WebSocket to the front, `sql.unsafe()` on a postgres.js
 * pool of 10 (as Outpost's agent), each answer `{"id":N,"rows":[...]}`. Run by
 * `bare-relay.ts`: `bun agent.ts <front url> <front ca> <pg json>`.
 */
import postgres from "postgres";

const [url, ca, pgJson] = process.argv.slice(2) as [string, string, string];
const pg = JSON.parse(pgJson) as { port: number; database: string; user: string; password: string; caPem: string };
const sql = postgres({
  host: "127.0.0.1", port: pg.port, database: pg.database, username: pg.user, password: pg.password,
  ssl: { ca: pg.caPem, rejectUnauthorized: true }, max: 10, fetch_types: false, onnotice: () => {},
});
const ws = new WebSocket(url, { tls: { ca: await Bun.file(ca).text() } } as unknown as string[]);
ws.onopen = () => console.log("connected");
ws.onmessage = async (event) => {
  const { id, sql: text, params } = JSON.parse(String(event.data)) as { id: number; sql: string; params: never[] };
  try {
    const rows = await sql.unsafe(text, params, { prepare: true });
    ws.send(`{"id":${id},"rows":${JSON.stringify(rows)}}`);
  } catch (error) {
    ws.send(`{"id":${id},"error":${JSON.stringify(String(error))}}`);
  }
};
