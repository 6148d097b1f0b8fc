/**
 * @module
 * Fuzzes the PostgreSQL connector's read-only profile and its per-call reset with
 * generated statements against a real server: transaction control, writes, DDL and
 * session changes hidden behind comments (`--` ended by `\r` or `\n`, nested block
 * comments), strings (`''`, `E'\''`, `$$`, `$tag$`), stray semicolons and whitespace.
 * Read-only: the canary table keeps its rows and no table appears or goes. Read-write, on
 * a pool of one: after each fuzzed call the next caller's insert is committed (seen from
 * another connection), so no call left a transaction, a role or a timeout behind.
 * The seed is printed; `OUTPOST_FUZZ_SEED=<n>` replays a run.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { DatabaseProfile } from "../../src/config/types.ts";
import type { DatabaseConnector, Row } from "../../src/connectors/connector.ts";
import { createManagedConnector, type Managed } from "../../src/connectors/managed.ts";
import { createPostgresConnector } from "../../src/connectors/postgres/postgres-connector.ts";
import { silentLogger } from "../../src/log/logger.ts";
import { startPostgres } from "../support/postgres.ts";
import { ctx } from "./connection.suite.ts";

const server = await startPostgres();
afterAll(() => server.stop());
await server.psql("create role outpost_fuzz_other; grant outpost_fuzz_other to outpost");

const SEED = Number(process.env.OUTPOST_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
console.log(`postgres fuzz seed: ${SEED} (replay with OUTPOST_FUZZ_SEED=${SEED})`);

/** mulberry32: small, seeded, good enough to pick fragments. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const connect = (extra: Partial<DatabaseProfile>): Managed<DatabaseConnector> =>
  createManagedConnector(createPostgresConnector({
    adapter: "postgresql", host: server.host, port: server.port, database: server.database, username: server.user, password: server.password, ...extra,
  }, { log: silentLogger }), { profile: "fuzz", log: silentLogger });

async function rows(db: Managed<DatabaseConnector>, sql: string): Promise<Row[]> {
  const all: Row[] = [];
  for await (const batch of (await db.query({ sql }, ctx())).rows) all.push(...batch);
  return all;
}

/** Statements that try to write, leave read-only mode, or leave something behind in the session. */
function statements(table: string, n: number): string[] {
  return [
    "begin", "BEGIN READ WRITE", "commit", "end", "rollback", "abort", "start transaction read write", "savepoint s", "release s",
    "prepare transaction 'fuzz'", "set default_transaction_read_only = off", "set transaction read write",
    "set session characteristics as transaction read write", "select set_config('default_transaction_read_only', 'off', false)",
    `insert into ${table} values (${n})`, `update ${table} set id = id + 1000`, `delete from ${table}`, `drop table ${table}`,
    `create table fuzz_made_${n} (x int)`, `copy ${table} from '/etc/hostname'`, `do $$ begin insert into ${table} values (${n}); end $$`,
    `do $$ begin perform set_config('default_transaction_read_only', 'off', false); commit; insert into ${table} values (${n}); end $$`,
    "call fuzz_commit_and_write()", "select pg_advisory_lock(7)", "set search_path = pg_catalog", "set role outpost_fuzz_other",
    "set statement_timeout = 1", "prepare fuzz_p as select 1", "listen fuzz", "declare fuzz_c cursor with hold for select 1",
    `create temp table ${table} (id int)`, "set local application_name = 'in_tx'", "select 1",
  ];
}

const SPACES = [" ", "\t", "\r", "\n", "\f", "\r\n", "  "];
const COMMENTS = ["-- c\r", "-- c\n", "--\r", "/* c */", "/* a /* b */ c */", "/**/", "/* -- */", "-- /* \n"];
const QUOTES = ["'x'", "E'\\''", "'it''s'", "$$ x $$", "$t$ ; begin $t$", "E'\\\\'", "U&'\\0061'", '"commit"'];

function generate(random: () => number, table: string, n: number): string {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const gap = () => Array.from({ length: Math.floor(random() * 3) }, () => pick([pick(SPACES), pick(COMMENTS), ";"])).join("") || " ";
  const mixCase = (s: string) => (random() < 0.3 ? [...s].map((c) => (random() < 0.5 ? c.toUpperCase() : c)).join("") : s);
  const parts: string[] = [];
  const count = 1 + Math.floor(random() * 3);
  for (let i = 0; i < count; i++) {
    let statement = mixCase(pick(statements(table, n)));
    // Sometimes hide a keyword in a comment or string, or add a string the lexer must skip.
    if (random() < 0.2) statement = `${statement} ${pick(QUOTES)}`;
    if (random() < 0.1) statement = `/* ${pick(statements(table, n))} */ ${statement}`;
    if (random() < 0.1) statement = `select ${pick(QUOTES)}${gap()}${statement}`;
    parts.push(statement);
  }
  return gap() + parts.join(gap() + (random() < 0.7 ? ";" : "") + gap()) + (random() < 0.5 ? gap() : "");
}

describe("postgresql: fuzzed statements", () => {
  const admin = connect({});
  beforeAll(async () => {
    await admin.execute({ sql: "create table canary (id int4 primary key)" }, ctx());
    await admin.execute({ sql: "insert into canary values (1), (2), (3)" }, ctx());
    await admin.execute({ sql: "create table ledger (id int4 primary key)" }, ctx());
    await admin.execute({ sql: "create table rw_target (id int4)" }, ctx());
    await admin.execute({ sql: `create procedure fuzz_commit_and_write() language plpgsql as $$
      begin perform set_config('default_transaction_read_only', 'off', false); commit; insert into canary values (99); end $$` }, ctx());
  });
  afterAll(() => admin.close());
  const tables = async () => (await rows(admin, "select tablename::text as t from pg_tables where schemaname = 'public' order by 1")).map((r) => r.t);

  test("read-only: 2,000 statements leave the canary and the schema as they were", async () => {
    const random = prng(SEED);
    const ro = connect({ readonly: true, pool: { size: 2 } });
    const before = { canary: await rows(admin, "select id from canary order by id"), tables: await tables() };
    try {
      let since: string[] = [];
      for (let i = 0; i < 2_000; i++) {
        const sql = generate(random, "canary", 100 + i);
        since.push(sql);
        const call = random() < 0.8 ? ro.execute({ sql }, ctx()) : rows(ro, sql);
        await call.catch(() => {});
        if (i % 200 === 199 || i === 1_999) {
          const now = { canary: await rows(admin, "select id from canary order by id"), tables: await tables() };
          expect({ seed: SEED, since, ...now }).toEqual({ seed: SEED, since: expect.anything(), ...before });
          since = [];
        }
      }
    } finally {
      await ro.close();
    }
  }, 60_000);

  test("read-write on one connection: after every fuzzed call, the next caller's insert is committed", async () => {
    const random = prng(SEED + 1);
    const rw = connect({ pool: { size: 1 } });
    try {
      for (let i = 0; i < 1_500; i++) {
        const sql = generate(random, "rw_target", i);
        await rw.execute({ sql }, ctx()).catch(() => {});
        // Another caller on the same (only) connection; then a fresh connection must see its row.
        const insert = await rw.execute({ sql: "insert into ledger values ($1)", params: [i] }, ctx()).catch((error: Error) => error.message);
        const seen = await rows(admin, `select count(*)::int4 as c from ledger where id = ${i}`);
        expect({ seed: SEED, sql, insert, seen }).toEqual({ seed: SEED, sql, insert: { rowsAffected: 1 }, seen: [{ c: 1 }] });
      }
    } finally {
      await rw.close();
    }
  }, 60_000);
});
