/** @module The PostgreSQL lexer and statement guard: the server's lexical rules, case by case. */
import { describe, expect, test } from "bun:test";
import { refuseTransactionControl, statementHeads } from "../../src/connectors/postgres/postgres-guard.ts";
import { lex } from "../../src/connectors/postgres/postgres-lexer.ts";

const kinds = (sql: string) => lex(sql).filter((t) => t.kind !== "space").map((t) => `${t.kind}:${t.text}`);

describe("postgres lexer", () => {
  test("gives the input back token by token", () => {
    const sql = "SELECT e'\\'' AS \"a\"\"b\", $x$ ; $y$ $x$, U&'d\\0061' -- c\r/* /* n */ */ $1;";
    expect(lex(sql).map((t) => t.text).join("")).toBe(sql.replace("SELECT", "select").replace("AS", "as"));
  });

  test("a -- comment ends at \\r as well as \\n", () => {
    expect(kinds("-- x\rbegin")).toEqual(["comment:-- x", "word:begin"]);
    expect(kinds("-- x\nbegin")).toEqual(["comment:-- x", "word:begin"]);
    expect(kinds("select 1 --\r\ncommit")).toEqual(["word:select", "other:1", "comment:--", "word:commit"]);
  });

  test("block comments nest", () => {
    expect(kinds("/* a /* b */ still */ begin")).toEqual(["comment:/* a /* b */ still */", "word:begin"]);
    expect(lex("/* a /* b */ begin").at(-1)).toEqual({ kind: "comment", text: "/* a /* b */ begin", unterminated: true });
  });

  test("strings: '' doubles, E'' takes backslashes, U&'' and N'' lex as standard strings", () => {
    expect(kinds("'it''s' x")).toEqual(["string:'it''s'", "word:x"]);
    expect(kinds("E'a\\'b' x")).toEqual(["string:E'a\\'b'", "word:x"]);
    expect(kinds("'a\\' x")).toEqual(["string:'a\\'", "word:x"]);
    expect(kinds("U&'a\\' x")).toEqual(["string:U&'a\\'", "word:x"]);
    expect(kinds("n'a' b'1' x'ff'")).toEqual(["string:n'a'", "string:b'1'", "string:x'ff'"]);
    expect(kinds("some'a'")).toEqual(["word:some", "string:'a'"]);
  });

  test("dollar quotes: tags, parameters, and identifiers that contain $", () => {
    expect(kinds("$$ ; begin $$ x")).toEqual(["string:$$ ; begin $$", "word:x"]);
    expect(kinds("$a$ $b$ ; $a$ x")).toEqual(["string:$a$ $b$ ; $a$", "word:x"]);
    expect(kinds("$A$ $a$ $A$")).toEqual(["string:$A$ $a$ $A$"]);
    expect(kinds("$1 $2")).toEqual(["param:$1", "param:$2"]);
    expect(kinds("a$$ b $$ c")).toEqual(["word:a$$", "word:b", "string:$$ c"]);
    expect(kinds("$1a$")).toEqual(["param:$1", "word:a$"]);
  });

  test('quoted identifiers double their quotes; U&"" too', () => {
    expect(kinds('"be""gin" U&"x" y')).toEqual(['identifier:"be""gin"', 'identifier:U&"x"', "word:y"]);
  });
});

describe("postgres statement guard", () => {
  const refused = (sql: string) => {
    try {
      refuseTransactionControl(sql);
      return false;
    } catch (error) {
      return (error as { code?: string }).code === "BAD_REQUEST";
    }
  };

  test("finds transaction control behind whitespace, comments and empty statements", () => {
    for (const sql of ["begin", "-- x\rbegin", "--\r\n  START TRANSACTION", "/* /* */ */ commit", ";begin", " ; ;end", "\fabort",
      "prepare transaction 'x'", "select 1; commit", "select ';'; rollback", "ReLeAsE s", "savepoint\rs", "\vbegin"]) {
      expect({ sql, refused: refused(sql) }).toEqual({ sql, refused: true });
    }
  });

  test("lets through the words inside strings, comments and identifiers", () => {
    for (const sql of ["select 'begin'", "select $$; commit$$", "select $t$ ; begin $t$", "/* begin */ select 1", "-- begin\nselect 1",
      "select e'\\'; commit; '", '"begin"', "prepare p as select 1", "select 1 /* ; commit */", "vacuum",
      "create function f() returns int language sql begin atomic select 1; select 2; end",
      "create or replace procedure p() language sql begin atomic insert into t values (case when true then 1 end); end"]) {
      expect({ sql, refused: refused(sql) }).toEqual({ sql, refused: false });
    }
  });

  test("reads the first two words of each statement", () => {
    expect(statementHeads("Prepare Transaction 'x'; ; (select 1); select")).toEqual([["prepare", "transaction"], [], ["select"]]);
  });
});
