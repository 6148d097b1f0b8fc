/**
 * @module
 * Drives a read-only SQLite profile with a few thousand generated statements — writes,
 * DDL, TEMP objects, pragma setters, ATTACH, VACUUM INTO, transaction control, upserts and
 * `WITH … INSERT`, spelled with random case, comments, quotes, whitespace, leading
 * `EXPLAIN` and `;`, and trailing second statements — and checks after every one that the
 * next caller finds the connection as the first did, and at the end that the database file
 * is byte-identical and no other file appeared. A read-write profile gets the same mix,
 * checked for its session only. The PRNG seed is printed; set
 * `OUTPOST_FUZZ_SEED` to replay a run.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SqliteConnector } from "../../src/connectors/sqlite/sqlite-connector.ts";
import { ctx, rowsOf } from "./sqlite-support.ts";

const STATEMENTS = 3000;
const seed = Number(process.env.OUTPOST_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 32));
console.log(`sqlite read-only fuzz: OUTPOST_FUZZ_SEED=${seed}`);

const dir = mkdtempSync(join(tmpdir(), "outpost-sqlite-fuzz-"));
const path = join(dir, "canary.db");

/** mulberry32: small, seeded, good enough to pick SQL fragments. */
function prng(state: number): () => number {
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

const random = prng(seed);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const chance = (p: number) => random() < p;

/** What SQLite skips between tokens; a word boundary always gets at least one. */
const SEPARATORS = [" ", "  ", "\n", "\t", "\r\n", "\f", "/**/", "/* x */", "/* -- */", "/* /* */", "-- c\n", "--\n"];
const PRAGMAS = ["query_only", "foreign_keys", "recursive_triggers", "case_sensitive_like", "defer_foreign_keys", "journal_mode", "synchronous",
  "cache_size", "busy_timeout", "temp_store", "trusted_schema", "reverse_unordered_selects", "writable_schema", "locking_mode",
  "user_version", "schema_version", "automatic_index", "ignore_check_constraints", "legacy_alter_table", "soft_heap_limit", "mmap_size", "threads"];
const VALUES = ["1", "0", "on", "off", "-1", "'wal'", "memory", "exclusive", "2", "full", "yes"];
const TARGET = join(dir, "copy.db");

function quoteName(name: string): string {
  return pick([name, name.toUpperCase(), `"${name}"`, `[${name}]`, `\`${name}\``, `'${name}'`]);
}

/** A statement as a list of tokens; `separate` joins them. */
function statement(): string[] {
  const name = quoteName("canary");
  const temp = pick(["temp", "TEMP", "temporary", "Temporary"]);
  const pragma = quoteName(pick(PRAGMAS));
  const value = pick(VALUES);
  return pick<() => string[]>([
    () => ["insert", "into", name, "(id, v)", "values", "(100, 'x')"],
    () => ["insert", "or", "replace", "into", name, "values", "(1, 'hacked')"],
    () => ["replace", "into", name, "values", "(1, 'hacked')"],
    () => ["insert", "into", name, "values", "(1, 'x')", "on", "conflict", "(id)", "do", "update", "set", "v", "=", "'upserted'"],
    () => ["with", "q(a)", "as", "(select 1)", "insert", "into", name, "select", "a + 50, 'w'", "from", "q"],
    () => ["with", "q", "as", "(select 1)", "delete", "from", name],
    () => ["update", name, "set", "v", "=", "'hacked'", pick(["", "where id = 1", "returning *"])],
    () => ["delete", "from", name, pick(["", "where id = 2", "returning id"])],
    () => ["drop", "table", pick(["", "if exists"]), name],
    () => ["alter", "table", name, pick(["add column z", "rename to gone"])],
    () => ["create", "table", "main.fresh", "(a)"],
    () => ["create", temp, "table", pick([name, "shadow"]), "(id integer primary key, v text)"],
    () => ["create", "table", "temp." + name, "as", "select", "1 as id, 'spoofed' as v"],
    () => ["create", temp, "view", name, "as", "select", "1 as id, 'spoofed' as v"],
    () => ["create", temp, "trigger", "tr", "before", "insert", "on", "main." + name, "begin", "select raise(ignore);", "end"],
    () => ["create", "virtual", "table", "temp.fts", "using", "fts5(a)"],
    () => ["pragma", pragma, "=", value],
    () => ["pragma", pick(["main.", "temp.", '"main".']) + pragma, "(", value, ")"],
    () => ["pragma", pragma],
    () => ["attach", pick(["", "database"]), pick([`'${join(dir, "other.db")}'`, "':memory:'", `'file:${join(dir, "rwc.db")}?mode=rwc'`]), "as", "x"],
    () => ["vacuum", pick(["", "main"]), "into", `'${TARGET}'`],
    () => ["vacuum"],
    () => [pick(["begin", "begin immediate", "begin exclusive", "begin deferred transaction", "savepoint s", "commit", "end", "rollback", "release s"])],
    () => ["analyze"],
    () => ["reindex"],
    () => ["select", pick(["'pragma query_only = 1'", '"pragma"', "1 -- ; pragma query_only = 1", "v from canary"])],
  ])();
}

function spell(tokens: string[]): string {
  const words = tokens.filter((t) => t !== "").map((t) => (chance(0.3) ? randomCase(t) : t));
  let sql = words.map((w, i) => (i === 0 ? w : pick(SEPARATORS) + w)).join("");
  if (chance(0.15)) sql = pick(["explain ", "EXPLAIN QUERY PLAN ", "explain\n"]) + sql;
  if (chance(0.15)) sql = pick([";", " ; ;", "/* lead */", "-- lead\n"]) + sql;
  if (chance(0.15)) sql += pick(["; pragma query_only = 1", ";create temp table after_semicolon (a)", "\0 ; pragma foreign_keys = 1", ";"]);
  return sql;
}

/** Keywords are case-insensitive; quoted names and strings are not, and a changed string only makes a different statement. */
function randomCase(token: string): string {
  return [...token].map((c) => (chance(0.5) ? c.toUpperCase() : c.toLowerCase())).join("");
}

/** What a later caller could notice of the session: settings, temp objects, LIKE, attached schemas. */
const SESSION = `select * from ${PRAGMAS.filter((p) => !["case_sensitive_like", "mmap_size", "user_version", "schema_version"].includes(p)).map((p) => `pragma_${p}`).join(", ")},
  (select count(*) as temps from temp.sqlite_master),
  (select count(*) as schemas from pragma_database_list),
  (select 'a' like 'A' as nocase)`;
/** On the read-only profile, the file's header fields and the canary rows too. */
const STATE = `select * from (${SESSION}), pragma_user_version, pragma_schema_version,
  (select group_concat(id || ':' || v, ',') as canary from canary)`;

const reader = new SqliteConnector({ path, readonly: true });

beforeAll(async () => {
  const seedDb = new SqliteConnector({ path });
  await seedDb.init();
  await seedDb.execute({ sql: "create table canary (id integer primary key, v text)" }, ctx());
  await seedDb.batch({ sql: "insert into canary values (?, ?)", rows: [[1, "one"], [2, "two"], [3, "three"]] }, ctx());
  await seedDb.close();
  await reader.init();
});
afterAll(async () => {
  await reader.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs `count` generated statements on `connector`, each through execute, query or batch; after each, `probe` must answer as before. */
async function drive(connector: SqliteConnector, count: number, probe: string): Promise<number> {
  const baseline = await rowsOf(connector, probe);
  let allowed = 0;
  for (let i = 0; i < count; i++) {
    const sql = spell(statement());
    const call = pick([
      () => connector.execute({ sql }, ctx()),
      () => rowsOf(connector, sql),
      () => connector.batch({ sql, rows: [[]] }, ctx()),
    ]);
    await call().then(() => allowed++, () => {});
    // A transaction left open would make this begin fail; the connector rolls it back again.
    await connector.execute({ sql: "begin" }, ctx());
    expect({ seed, sql, state: await rowsOf(connector, probe) }).toEqual({ seed, sql, state: baseline });
  }
  return allowed;
}

test(`a read-only profile survives ${STATEMENTS} generated statements unchanged (seed ${seed})`, async () => {
  const bytes = readFileSync(path);
  const files = readdirSync(dir).sort();
  const allowed = await drive(reader, STATEMENTS, STATE);
  expect(readFileSync(path).equals(bytes)).toBe(true);
  expect(readdirSync(dir).sort()).toEqual(files);
  // The mix is not all refusals: reads, EXPLAINs and REINDEX get through.
  expect(allowed).toBeGreaterThan(STATEMENTS / 20);
}, 60_000);

test(`a read-write profile's session survives ${STATEMENTS / 2} of them too (seed ${seed})`, async () => {
  const writer = new SqliteConnector({ path: join(dir, "writable.db") });
  try {
    await writer.execute({ sql: "create table canary (id integer primary key, v text)" }, ctx());
    // Writes may land here (that is what the profile is for); only the session must not change.
    expect(await drive(writer, STATEMENTS / 2, SESSION)).toBeGreaterThan(STATEMENTS / 20);
  } finally {
    await writer.close();
  }
}, 60_000);
