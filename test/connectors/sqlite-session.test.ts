/** @module A SQLite call cannot change the shared connection for later callers: pragma setters and TEMP objects are refused, reads pass. */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SqliteConnector } from "../../src/connectors/sqlite/sqlite-connector.ts";
import { firstStatement } from "../../src/connectors/sqlite/sqlite-tokens.ts";
import { failure } from "../support/failure.ts";
import { ctx, rowsOf, writerAndReader } from "./sqlite-support.ts";

const dir = mkdtempSync(join(tmpdir(), "outpost-sqlite-session-"));
const path = join(dir, "main.db");

const { writer, reader } = writerAndReader(path);
/** What a later caller would notice: the settings, the temp schema, and how LIKE compares. */
const STATE = "select * from pragma_query_only, pragma_foreign_keys, pragma_writable_schema, pragma_cache_size, pragma_soft_heap_limit, pragma_hard_heap_limit, (select count(*) as temps from temp.sqlite_master), (select 'a' like 'A' as nocase)";

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("sqlite: a call leaves the connection as it found it", () => {
  const setters = [
    "pragma query_only = 1",
    "PRAGMA QUERY_ONLY=ON",
    "pragma main.query_only(1)",
    `pragma "query_only" = 1`,
    "pragma [query_only] = 1",
    "pragma `query_only` = 1",
    "pragma 'query_only' = 1",
    `pragma "main"."foreign_keys" = 1`,
    "; ;pragma foreign_keys = 1",
    "/* a */ pragma -- b\n foreign_keys /* c */ =\n1",
    "pragma\fquery_only\r=\t1",
    "explain pragma query_only = 1",
    "EXPLAIN QUERY PLAN pragma query_only = 1",
    "pragma query_only = 1; select 1",
    "pragma writable_schema = 1",
    "pragma cache_size = -1",
    "pragma case_sensitive_like = 1",
    "pragma soft_heap_limit = 1000",
    "pragma hard_heap_limit = 1000",
    "pragma query_only.main = 1",
    "pragma 1 = 1",
    "pragma temp.user_version = 5",
    `pragma "TEMP".application_id(5)`,
  ];

  for (const [name, connector] of [["read-write", writer], ["read-only", reader]] as const) {
    test(`${name}: every pragma setter is BAD_REQUEST, through execute, query and batch, and nothing changes`, async () => {
      const before = await rowsOf(connector, STATE);
      for (const sql of setters) {
        for (const call of [
          () => connector.execute({ sql }, ctx()),
          () => rowsOf(connector, sql),
          () => connector.batch({ sql, rows: [[]] }, ctx()),
        ]) {
          expect({ sql, code: (await failure(call())).code }).toEqual({ sql, code: "BAD_REQUEST" });
        }
      }
      expect(await rowsOf(connector, STATE)).toEqual(before);
    });

    test(`${name}: every TEMP object is BAD_REQUEST and the temp schema stays empty`, async () => {
      for (const sql of [
        "create temp table x (a)",
        "CREATE TEMPORARY TABLE IF NOT EXISTS x (a)",
        "create table temp.x (a)",
        `create table "temp".x as select 1`,
        "create temp view t as select 'spoofed' as v",
        "create temp trigger tr before insert on main.t begin select raise(ignore); end",
        "create virtual table temp.f using fts5 (a)",
      ]) {
        const error = await failure(connector.execute({ sql }, ctx()));
        expect({ sql, code: error.code, message: error.message }).toEqual({ sql, code: "BAD_REQUEST", message: expect.stringContaining("TEMP") });
      }
      // Only the first statement of a text runs, so a second one cannot slip past.
      await connector.execute({ sql: "select 1; create temp table y (a)" }, ctx());
      expect(await rowsOf(connector, "select name from temp.sqlite_master")).toEqual([]);
    });

    test(`${name}: reading pragmas, pragma functions and pragmas with read arguments pass`, async () => {
      expect(await rowsOf(connector, "pragma query_only")).toEqual([{ query_only: 0 }]);
      expect((await rowsOf(connector, "pragma main.table_info(t)")).map((r) => r.name)).toEqual(["v"]);
      expect((await rowsOf(connector, "PRAGMA table_info('t')")).map((r) => r.name)).toEqual(["v"]);
      expect((await rowsOf(connector, "select name from pragma_table_info('t')")).map((r) => r.name)).toEqual(["v"]);
      expect(await rowsOf(connector, "pragma integrity_check(t)")).toEqual([{ integrity_check: "ok" }]);
      expect(await rowsOf(connector, "select 'pragma query_only = 1' as s")).toEqual([{ s: "pragma query_only = 1" }]);
      expect(await rowsOf(connector, "/* pragma query_only = 1; */ select 1 as one -- pragma x = 1")).toEqual([{ one: 1 }]);
      // Sorting and recursive CTEs use scratch tables of their own, not the temp schema.
      expect(await rowsOf(connector, "with recursive g(n) as (select 1 union all select n + 1 from g where n < 3) select n from g order by n desc")).toEqual([{ n: 3 }, { n: 2 }, { n: 1 }]);
    });

    test(`${name}: extensions cannot be loaded and FTS3 tokenizers cannot be registered`, async () => {
      expect((await failure(rowsOf(connector, `select load_extension('${join(dir, "nothing")}')`))).message).toContain("not authorized");
      expect((await failure(rowsOf(connector, "select fts3_tokenizer('evil', x'0000000000000000')"))).message).toContain("disabled");
    });
  }

  test("the temp schema's header fields are refused as setters, even on a connection that has not opened the temp schema yet", async () => {
    const fresh = new SqliteConnector({ path, readonly: true });
    try {
      const error = await failure(fresh.execute({ sql: "pragma temp.user_version = 5" }, ctx()));
      expect({ code: error.code, message: error.message }).toEqual({ code: "BAD_REQUEST", message: expect.stringContaining("user_version") });
      // (Until the temp schema is open, SQLite cannot even EXPLAIN a read of it: "SQL logic error".)
      await rowsOf(fresh, "select name from temp.sqlite_master");
      expect(await rowsOf(fresh, "pragma temp.user_version")).toEqual([{ user_version: 0 }]);
    } finally {
      await fresh.close();
    }
  });

  test("the file's own header fields can be written on a read-write profile, and SQLite refuses them on a read-only one", async () => {
    await writer.execute({ sql: "pragma user_version = 7" }, ctx());
    expect(await rowsOf(reader, "pragma user_version")).toEqual([{ user_version: 7 }]);
    expect((await failure(reader.execute({ sql: "pragma user_version = 8" }, ctx()))).code).toBe("READ_ONLY");
    expect(await rowsOf(writer, "pragma main.user_version = 9")).toEqual([]);
    expect(await rowsOf(reader, "pragma user_version")).toEqual([{ user_version: 9 }]);
  });
});

describe("sqlite: the guard reads SQL as SQLite's tokenizer does", () => {
  const words = (sql: string) => [...firstStatement(sql)].map((t) => t.text);

  test("comments, quotes, blobs and the end of the first statement", () => {
    expect(words("/* a /* b */ select -- c\n'x''y' \"q\"\"r\" `s` [t u] x'00' X'' ; pragma")).toEqual(["select", "'x''y'", '"q""r"', "`s`", "[t u]", "x'00'", "X''"]);
    expect(words(";; ; select 1")).toEqual(["select", "1"]);
    expect(words("select 1 /* unterminated ; pragma x = 1")).toEqual(["select", "1"]);
    expect(words("select 'unterminated ; pragma x = 1")).toEqual(["select", "'unterminated ; pragma x = 1"]);
    expect(words("select 1\0; pragma x = 1")).toEqual(["select", "1"]);
    // Characters SQLite does not skip are tokens of their own, never whitespace.
    expect(words("\vpragma\u00a0x")).toEqual(["\v", "pragma\u00a0x"]);
  });
});
