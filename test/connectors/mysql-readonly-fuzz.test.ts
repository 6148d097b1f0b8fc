/**
 * @module
 * Fuzzes a read-only MariaDB profile: a few thousand statements generated from a seeded PRNG
 * (the seed is printed; set OUTPOST_FUZZ_SEED to replay one) mixing comments of every kind,
 * executable comments, quotes, control characters and the keywords that write or leave
 * read-only mode. Afterwards the canary table is unchanged, no table was created or dropped,
 * and the session is still read-only.
 */
import { afterAll, expect, test } from "bun:test";
import { createCallContext } from "../../src/connectors/context.ts";
import { createMysqlConnector } from "../../src/connectors/mysql/mysql-connector.ts";
import { acquire, createMysqlPool, release } from "../../src/connectors/mysql/mysql-pool.ts";
import { silentLogger } from "../../src/log/logger.ts";
import { startMariaDb } from "../support/mariadb.ts";

const server = await startMariaDb();
afterAll(() => server.stop());

/** mulberry32: small, seeded, good enough to pick fragments. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WRITES = [
  "insert into canary values (99, 'fuzz')", "update canary set name = 'fuzz'", "delete from canary", "drop table canary",
  "create table fuzz_made (a int)", "truncate table canary", "rename table canary to fuzz_gone", "alter table canary add column z int",
  "load data local infile '/etc/hostname' into table canary", "replace into canary values (1, 'fuzz')", "call fuzz_proc()", "do 1",
  "handler canary open", "lock tables canary write", "create temporary table canary (id int)", "create or replace table canary (id int)",
  "execute immediate 'drop table canary'", "prepare s from 'drop table canary'", "xa start 'x'",
];
const ESCAPES = [
  "set statement tx_read_only=0 for ", "SET STATEMENT tx_read_only = 0, sql_mode='' FOR ", "set statement transaction_read_only=0 for ",
  "set session tx_read_only=0", "set @@session.tx_read_only=0", "set @@tx_read_only=0", "set autocommit=0", "set autocommit=1",
  "commit", "rollback", "start transaction read write", "begin", "set session transaction read write", "set transaction read write",
  "savepoint a", "unlock tables", "set sql_mode='NO_BACKSLASH_ESCAPES'", "set sql_mode='ANSI_QUOTES'",
];
const NOISE = [
  "#", "# c\n", "-- ", "-- c\n", "--x", "--\t", "/* */", "/* ; */", "/*!", "/*!50000 ", "/*M!100000 ", "/*m!", "*/", "'", "\"", "`",
  "\\", "''", "\\'", "\r", "\n", "\t", ";", " ", " ", "select 1", "select ", "(", ")", ",", "x'", "_utf8mb4'", "N'", "for ", "into ",
];

function statement(random: () => number): string {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const parts: string[] = [];
  const count = 1 + Math.floor(random() * 6);
  for (let i = 0; i < count; i++) {
    const roll = random();
    parts.push(roll < 0.35 ? pick(NOISE) : roll < 0.6 ? pick(ESCAPES) : roll < 0.9 ? pick(WRITES) : `/*!${pick(WRITES)}*/`);
    if (random() < 0.5) parts.push(pick([" ", "\n", "\t", "\r", ""]));
  }
  return parts.join("");
}

test("a read-only profile survives thousands of generated escape attempts", async () => {
  const seed = Number(process.env.OUTPOST_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
  console.log(`mysql read-only fuzz seed: ${seed} (OUTPOST_FUZZ_SEED=${seed} replays it)`);
  const random = prng(seed);
  const profile = { adapter: "mysql" as const, host: server.host, port: server.port, database: server.database, username: server.user, password: server.password };
  const rw = createMysqlConnector(profile, { log: silentLogger });
  const ro = createMysqlConnector({ ...profile, readonly: true, pool: { size: 2 } }, { log: silentLogger });
  const ctx = () => createCallContext({ timeoutMs: 10_000 });
  const snapshot = async () => {
    const tables = await rw.query({ sql: "select table_name as t from information_schema.TABLES where table_schema = database() order by 1" }, ctx());
    const canary = await rw.query({ sql: "select id, name from canary order by id" }, ctx());
    const rows: unknown[] = [];
    for (const result of [tables, canary]) for await (const batch of result.rows) rows.push(...batch);
    return rows;
  };
  try {
    await rw.execute({ sql: "create table canary (id int primary key, name varchar(100))" }, ctx());
    await rw.execute({ sql: "insert into canary values (1, 'one'), (2, 'two')" }, ctx());
    await rw.execute({ sql: "create procedure fuzz_proc() begin commit; set session transaction read write; insert into canary values (98, 'proc'); end" }, ctx());
    const before = await snapshot();
    const started = Date.now();
    let sent = 0;
    let reachedServer = 0;
    for (; sent < 3000 && Date.now() - started < 40_000; sent++) {
      const sql = statement(random);
      const call = random() < 0.8 ? ro.execute({ sql }, ctx()) : ro.query({ sql }, ctx()).then(async (r) => { for await (const _ of r.rows); });
      await call.then(() => reachedServer++, (error) => { if (!/^read-only profile:/.test(error.message)) reachedServer++; });
    }
    // The first line alone: the same kind of statements on the pool's READ ONLY session and
    // transaction, without the guard. Its two known holes are left out: SET STATEMENT … FOR
    // DDL, and CALL of a procedure that commits (the guard and the refused `call` cover them).
    const pool = createMysqlPool({ ...profile, readonly: true, pool: { size: 1 } });
    let serverOnly = 0;
    while (serverOnly < 1000 && Date.now() - started < 55_000) {
      const sql = statement(random);
      if (/set\s+statement|call/i.test(sql)) continue;
      serverOnly++;
      const conn = await acquire(pool, { ...profile, readonly: true });
      await new Promise((resolve) => conn.execute(sql, [], resolve));
      await release(conn, { ...profile, readonly: true });
    }
    await new Promise((resolve) => pool.end(resolve));
    console.log(`sent ${sent} statements in ${Date.now() - started} ms; ${reachedServer} passed the guard and were answered by the server; ${serverOnly} more straight to the READ ONLY session`);
    expect(sent).toBeGreaterThan(500);
    expect(await snapshot()).toEqual(before);
    // Both pooled sessions are still read-only, and a write is still refused.
    for (let i = 0; i < 2; i++) {
      const result = await ro.query({ sql: "select @@tx_read_only as ro" }, ctx());
      for await (const batch of result.rows) expect(batch.map((row) => Number(row.ro))).toEqual([1]);
      expect((await ro.execute({ sql: "insert into canary values (97, 'x')" }, ctx()).catch((e) => e)).code).toBe("READ_ONLY");
    }
  } finally {
    await ro.close();
    await rw.close();
  }
}, 90_000);
