/** @module The read-only profile's statement guard (mysql-readonly.ts) on MySQL's lexical rules; no server needed. */
import { describe, expect, test } from "bun:test";
import { ConnectorError } from "../../src/connectors/errors.ts";
import { assertReadStatement } from "../../src/connectors/mysql/mysql-readonly.ts";

const verdict = (sql: string): string => {
  try {
    assertReadStatement(sql);
    return "allowed";
  } catch (error) {
    return error instanceof ConnectorError ? error.code : String(error);
  }
};

describe("mysql read-only guard", () => {
  test.each([
    "select 1",
    "  SELECT id FROM t WHERE name = 'drop table t; insert'",
    "with c as (select 1 as n) select n from c",
    "(select 1) union (select 2)",
    "show tables",
    "describe t",
    "explain select * from t",
    "values (1, 2)",
    "select replace(name, 'a', 'b'), insert('abc', 1, 1, 'z') from t",
    "select `update`, `insert into` from t",
    "-- comment\nselect 1",
    "--\tcomment\nselect 1",
    "# comment\nselect 1",
    "/* comment; drop table t */ select 1",
    "select x'00ff', b'01', _utf8mb4'a\\\\b', N'c' from dual",
    "select 'it''s', \"say \"\"hi\"\"\"",
    "select 1 --1",
    "select * from t for system_time all",
    "select @x := 1",
  ])("allows %j", (sql) => expect(verdict(sql)).toBe("allowed"));

  test.each([
    "set statement tx_read_only=0 for drop table t",
    "SET STATEMENT tx_read_only=0 FOR insert into t values (1)",
    "set session tx_read_only = 0",
    "set @@session.tx_read_only = 0",
    "insert into t values (1)",
    "drop table t",
    "/*!50000 set statement tx_read_only=0 for */ select 1",
    "select 1 /*! , 2 */",
    "select 1 /*M!100000 , 2 */",
    "select 1 /*m!100000 , 2 */",
    "/*!drop table t*/",
    "-- x\ninsert into t values (1)",
    "#\rinsert into t values (1)",
    "--x\ninsert into t values (1)",
    "select * from t into outfile '/tmp/x'",
    "select * from t into dumpfile '/tmp/x'",
    "select 1 into @x",
    "select * from t for update",
    "select * from t lock in share mode",
    "explain delete from t",
    "with c as (select 1) update t set a = 1",
    "select replace into t values (1)",
    "call p()",
    "do sleep(1)",
    "handler t open",
    "lock tables t write",
    "load data infile '/etc/passwd' into table t",
    "execute immediate 'drop table t'",
    "start transaction read write",
    "commit",
    "select 'unterminated",
    "select 1 /* unterminated",
    "",
    // Read with backslash escapes, the comment is inside a string; without them (NO_BACKSLASH_ESCAPES) it is code.
    "select 'a\\' /*!drop table t*/ '",
    "select `a\\` /*!drop table t*/ `",
  ])("refuses %j as READ_ONLY", (sql) => expect(verdict(sql)).toBe("READ_ONLY"));
});
