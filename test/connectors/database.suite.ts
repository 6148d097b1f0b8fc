/**
 * @module
 * The conformance suite every database connector runs (hono's `runTest` pattern). A
 * backend's test file calls `runDatabaseConformance({ name, create, dialect })`; the
 * dialect knobs below are everything the suite needs to know about a SQL flavour, so a
 * new backend only writes those, never its own copy of these tests.
 *
 * Each test creates its own uniquely named table and drops it at the end, so backends
 * that share one server database across tests stay clean.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { DatabaseConnector, JsonValue, Row } from "../../src/connectors/connector.ts";
import { createCallContext } from "../../src/connectors/context.ts";
import { ConnectorError } from "../../src/connectors/errors.ts";
import { createManagedConnector, type Managed } from "../../src/connectors/managed.ts";
import { silentLogger } from "../../src/log/logger.ts";
import { failure } from "../support/failure.ts";

export interface DatabaseDialect {
  /** The n-th (1-based) bound parameter: `?` (sqlite, mysql), `$1` (postgres), `@p1` (sqlserver). */
  placeholder(index: number): string;
  /** Creates a table with columns `id` (integer primary key) and `name` (text up to 100 chars). */
  createTable(table: string): string;
  /** Defaults to `drop table <table>`. */
  dropTable?(table: string): string;
  /** SQL returning `count` rows with one integer column `n` = 1..count, in order. */
  generateRows(count: number): string;
  /**
   * SQL returning one row with columns `big` = 9007199254740993 (a 64-bit integer),
   * `missing` = NULL, `yes` = boolean true, `bytes` = the three bytes 0x00 0xff 0x10.
   */
  typesQuery: string;
  /** How `yes` comes back: `true` where the database has booleans, `1` where it has not (sqlite, mysql). */
  booleanTrue: JsonValue;
  /** A statement with a syntax error. Defaults to `selec 1`. */
  syntaxError?: string;
  /**
   * A single statement that runs for at least 5 seconds on the server (`select pg_sleep(30)`).
   * Given, the suite cancels it while the server is busy; omitted (SQLite, which can only stop
   * between batches), only the between-batches cancel runs.
   */
  slowQuery?: string;
  /**
   * Statement sequences that try to write on a read-only profile by leaving read-only mode
   * (`set default_transaction_read_only = off`, `SET SESSION TRANSACTION READ WRITE`, ...),
   * one call each, on a pool of one connection so later calls reuse the session. `table` has
   * the suite's columns; after every sequence it must still be empty.
   */
  readOnlyEscapes?(table: string): string[][];
  /**
   * Starts a transaction as a statement of its own (`begin`, `START TRANSACTION`). Given, the
   * suite checks that a transaction left open by one call does not take the next caller's
   * write with it.
   */
  beginTransaction?: string;
  /**
   * Ways a call can change its session for whoever gets the connection next (temp tables,
   * settings, advisory locks, pragmas). For each case, on a pool of one connection: `probe`
   * runs, then every statement of `change` as a call of its own (each may succeed or be
   * refused), then `probe` again, which must answer exactly what it answered the first time.
   * `readonly` runs the case on a read-only profile.
   */
  sessionLeaks?(table: string): SessionLeak[];
}

export interface SessionLeak {
  name: string;
  change: string[];
  /** A query whose rows show the state `change` tried to leave behind. */
  probe: string;
  readonly?: boolean;
}

export interface DatabaseUnderTest {
  connector: DatabaseConnector;
  /** Closes whatever `create` opened beside the connector; the suite closes the connector. */
  cleanup?(): Promise<void>;
}

export interface DatabaseConformanceOptions {
  name: string;
  /**
   * A connector to the test database; `readonly: true` must give one whose session the
   * database keeps read-only. `poolSize`: connections at most (backends without a pool ignore it).
   */
  create(options: { readonly: boolean; poolSize?: number }): Promise<DatabaseUnderTest>;
  dialect: DatabaseDialect;
}

const ctx = () => createCallContext({ timeoutMs: 60_000 });

async function collect(rows: AsyncIterable<Row[]>): Promise<{ rows: Row[]; batches: number }> {
  const all: Row[] = [];
  let batches = 0;
  for await (const batch of rows) {
    batches++;
    all.push(...batch);
  }
  return { rows: all, batches };
}

export function runDatabaseConformance(options: DatabaseConformanceOptions): void {
  const { dialect } = options;
  const p = dialect.placeholder;
  let db: Managed<DatabaseConnector>;
  let underTest: DatabaseUnderTest;
  const tables: string[] = [];
  const newTable = async (): Promise<string> => {
    const table = `outpost_t${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
    await db.execute({ sql: dialect.createTable(table) }, ctx());
    tables.push(table);
    return table;
  };

  describe(`database conformance: ${options.name}`, () => {
    beforeAll(async () => {
      underTest = await options.create({ readonly: false });
      db = createManagedConnector(underTest.connector, { profile: "conformance", log: silentLogger });
    });

    afterAll(async () => {
      for (const table of tables) {
        await db.execute({ sql: dialect.dropTable?.(table) ?? `drop table ${table}` }, ctx()).catch(() => {});
      }
      await db.close();
      await underTest.cleanup?.();
    });

    test("query binds parameters and reports columns", async () => {
      const table = await newTable();
      const insert = `insert into ${table} (id, name) values (${p(1)}, ${p(2)})`;
      expect(await db.execute({ sql: insert, params: [1, "one; drop table x"] }, ctx())).toEqual({ rowsAffected: 1 });
      await db.execute({ sql: insert, params: [2, "two"] }, ctx());
      const result = await db.query({ sql: `select id, name from ${table} where name = ${p(1)}`, params: ["one; drop table x"] }, ctx());
      expect(result.columns.map((c) => c.name)).toEqual(["id", "name"]);
      for (const column of result.columns) expect(column.type).toBe(column.type.toLowerCase());
      const { rows } = await collect(result.rows);
      expect(rows).toEqual([{ id: 1, name: "one; drop table x" }]);
      expect(result.truncated).toBe(false);
    });

    test("streams 20,000 rows in several batches, in order", async () => {
      const result = await db.query({ sql: dialect.generateRows(20_000) }, ctx());
      const { rows, batches } = await collect(result.rows);
      expect(rows.length).toBe(20_000);
      expect(batches).toBeGreaterThan(1);
      expect(rows[0]).toEqual({ n: 1 });
      expect(rows[19_999]).toEqual({ n: 20_000 });
    });

    test("maxRows stops the stream and reports truncated", async () => {
      const cut = await db.query({ sql: dialect.generateRows(1_000), maxRows: 10 }, ctx());
      expect((await collect(cut.rows)).rows.map((r) => r.n)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      expect(cut.truncated).toBe(true);
      const exact = await db.query({ sql: dialect.generateRows(10), maxRows: 10 }, ctx());
      expect((await collect(exact.rows)).rows.length).toBe(10);
      expect(exact.truncated).toBe(false);
    });

    test("execute reports rowsAffected", async () => {
      const table = await newTable();
      const rows: JsonValue[][] = [[1, "a"], [2, "b"], [3, "c"]];
      await db.batch({ sql: `insert into ${table} (id, name) values (${p(1)}, ${p(2)})`, rows }, ctx());
      const update = await db.execute({ sql: `update ${table} set name = ${p(1)} where id >= ${p(2)}`, params: ["z", 2] }, ctx());
      expect(update.rowsAffected).toBe(2);
    });

    test("batch runs in one transaction and rolls back on failure", async () => {
      const table = await newTable();
      const sql = `insert into ${table} (id, name) values (${p(1)}, ${p(2)})`;
      expect(await db.batch({ sql, rows: [[1, "a"], [2, "b"]] }, ctx())).toEqual({ rowsAffected: 2 });
      // Row 4 collides with itself on the primary key: nothing of this batch may stay.
      const error = await failure(db.batch({ sql, rows: [[3, "c"], [4, "d"], [4, "again"]] }, ctx()));
      expect(error.code).toBe("QUERY_FAILED");
      const { rows } = await collect((await db.query({ sql: `select id from ${table} order by id` }, ctx())).rows);
      expect(rows).toEqual([{ id: 1 }, { id: 2 }]);
    });

    test("a read-only profile is refused by the database", async () => {
      const table = await newTable();
      const readonly = await options.create({ readonly: true });
      const ro = createManagedConnector(readonly.connector, { profile: "conformance-ro", log: silentLogger });
      try {
        const error = await failure(ro.execute({ sql: `insert into ${table} (id, name) values (${p(1)}, ${p(2)})`, params: [1, "x"] }, ctx()));
        expect(error.code).toBe("READ_ONLY");
        const { rows } = await collect((await ro.query({ sql: `select count(*) as c from ${table}` }, ctx())).rows);
        expect(Number(rows[0]?.c)).toBe(0);
      } finally {
        await ro.close();
        await readonly.cleanup?.();
      }
    });

    const readOnlyEscapes = dialect.readOnlyEscapes;
    if (readOnlyEscapes) {
      test("a read-only session cannot be talked out of read-only mode", async () => {
        const table = await newTable();
        for (const sequence of readOnlyEscapes(table)) {
          const readonly = await options.create({ readonly: true, poolSize: 1 });
          const ro = createManagedConnector(readonly.connector, { profile: "conformance-ro", log: silentLogger });
          try {
            for (const sql of sequence) {
              const error = await ro.execute({ sql }, ctx()).then(() => undefined, (e: ConnectorError) => e);
              // Every write is refused; the other steps may pass or be refused, by the database or before it.
              if (/^\s*insert/i.test(sql)) expect({ sql, refused: error !== undefined }).toEqual({ sql, refused: true });
              if (error) expect(["READ_ONLY", "QUERY_FAILED", "BAD_REQUEST"]).toContain(error.code);
            }
          } finally {
            await ro.close();
            await readonly.cleanup?.();
          }
          const { rows } = await collect((await db.query({ sql: `select count(*) as c from ${table}` }, ctx())).rows);
          expect({ sequence, count: Number(rows[0]?.c) }).toEqual({ sequence, count: 0 });
        }
      });
    }

    const begin = dialect.beginTransaction;
    if (begin) {
      test("a transaction left open by one call does not take the next caller's write", async () => {
        const table = await newTable();
        const shared = await options.create({ readonly: false, poolSize: 1 });
        const one = createManagedConnector(shared.connector, { profile: "conformance-one", log: silentLogger });
        try {
          // The backend may refuse transaction control outright (BAD_REQUEST); either way the insert must stay.
          await one.execute({ sql: begin }, ctx()).catch((error: ConnectorError) => expect(error.code).toBe("BAD_REQUEST"));
          const insert = `insert into ${table} (id, name) values (${p(1)}, ${p(2)})`;
          expect(await one.execute({ sql: insert, params: [1, "kept"] }, ctx())).toEqual({ rowsAffected: 1 });
          // Someone else's rollback on the same connection must not undo it.
          await one.execute({ sql: "rollback" }, ctx()).catch(() => {});
          const { rows } = await collect((await db.query({ sql: `select name from ${table}` }, ctx())).rows);
          expect(rows).toEqual([{ name: "kept" }]);
        } finally {
          await one.close();
          await shared.cleanup?.();
        }
      });
    }

    const sessionLeaks = dialect.sessionLeaks;
    if (sessionLeaks) {
      test("every call gets its connection back as the pool first gave it out", async () => {
        const table = await newTable();
        for (const leak of sessionLeaks(table)) {
          const shared = await options.create({ readonly: leak.readonly ?? false, poolSize: 1 });
          const one = createManagedConnector(shared.connector, { profile: "conformance-one", log: silentLogger });
          try {
            const probe = async () => (await collect((await one.query({ sql: leak.probe }, ctx())).rows)).rows;
            const before = await probe();
            for (const sql of leak.change) await one.execute({ sql }, ctx()).catch(() => {});
            expect({ leak: leak.name, rows: await probe() }).toEqual({ leak: leak.name, rows: before });
          } finally {
            await one.close();
            await shared.cleanup?.();
          }
        }
      });
    }

    test("a syntax error is QUERY_FAILED and not retryable", async () => {
      const error = await failure(
        (async () => collect((await db.query({ sql: dialect.syntaxError ?? "selec 1" }, ctx())).rows))(),
      );
      expect(error.code).toBe("QUERY_FAILED");
      expect(error.retryable).toBe(false);
    });

    test("cancelling between batches stops the stream with CANCELLED", async () => {
      const caller = new AbortController();
      const call = createCallContext({ signal: caller.signal, timeoutMs: 60_000 });
      const result = await db.query({ sql: dialect.generateRows(20_000) }, call);
      const iterator = result.rows[Symbol.asyncIterator]();
      expect((await iterator.next()).done).toBe(false);
      caller.abort();
      const error = await failure(iterator.next());
      expect(error.code).toBe("CANCELLED");
      // The slot and cursor are released: the connector still answers.
      const { rows } = await collect((await db.query({ sql: dialect.generateRows(1) }, ctx())).rows);
      expect(rows).toEqual([{ n: 1 }]);
    });

    if (dialect.slowQuery) {
      const slowQuery = dialect.slowQuery;
      test("cancelling a running statement ends it with CANCELLED", async () => {
        const caller = new AbortController();
        const call = createCallContext({ signal: caller.signal, timeoutMs: 60_000 });
        const running = (async () => collect((await db.query({ sql: slowQuery }, call)).rows))();
        await Bun.sleep(300);
        caller.abort();
        expect((await failure(running)).code).toBe("CANCELLED");
      });
    }

    test("maps big integers, NULL, booleans and bytes", async () => {
      const { rows } = await collect((await db.query({ sql: dialect.typesQuery }, ctx())).rows);
      expect(rows[0]).toEqual({ big: "9007199254740993", missing: null, yes: dialect.booleanTrue, bytes: "AP8Q" });
    });
  });
}
