/**
 * @module
 * The typed client's compact rows, `{ rows: "arrays" }`, against a real stack (SQLite
 * profile): a stream yields each row's values in column order with `columns` beside
 * them, honours `maxRows`, and throws a typed error after the good rows on a mid-stream
 * failure; `query` gives arrays too, even from a gateway too old to send them. And the
 * NDJSON reader, which parses a chunk of lines at once, keeps the line-by-line answers.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { OutpostClient, OutpostQueryError, ndjsonLines, type JsonValue } from "../../src/client/index.ts";
import type { Stack } from "../support/stack.ts";
import { clientFor, numbersSql, startSqliteStack } from "./support.ts";

let stack: Stack;

beforeAll(async () => {
  stack = await startSqliteStack();
});

afterAll(async () => {
  await stack?.stop();
});

const numbers = (n: number, select = "i as v, 'x' || i as t") => numbersSql(n, select);

describe("rows as arrays", () => {
  test("a stream of 20,000 rows yields arrays in column order, the columns beside them", async () => {
    const stream = clientFor(stack).group("sales").db("main").stream(numbers(20_000), [], { rows: "arrays" });
    expect((await stream.columns).map((column) => column.name)).toEqual(["v", "t"]);
    let count = 0;
    for await (const row of stream) {
      count++;
      if (row[0] !== count || row[1] !== `x${count}`) throw new Error(`row ${count} is ${JSON.stringify(row)}`);
    }
    expect(count).toBe(20_000);
    expect(await stream.summary).toEqual({ rowCount: 20_000, truncated: false });
  });

  test("maxRows cuts the stream and the summary says truncated", async () => {
    const stream = clientFor(stack).group("sales").db("main").stream(numbers(100), [], { rows: "arrays", maxRows: 3 });
    expect(await stream.toArray()).toEqual([[1, "x1"], [2, "x2"], [3, "x3"]]);
    expect(await stream.summary).toEqual({ rowCount: 3, truncated: true });
  });

  test("a failure mid-stream throws a typed error after the good rows", async () => {
    const sql = numbers(5000, "case when i < 3000 then i else abs(-9223372036854775808) end as v");
    const stream = clientFor(stack).group("sales").db("main").stream(sql, [], { rows: "arrays" });
    const seen: JsonValue[][] = [];
    const error = await (async () => {
      for await (const row of stream) seen.push(row);
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutpostQueryError);
    expect(error).toMatchObject({ code: "QUERY_FAILED", status: 200 });
    expect(seen.slice(0, 2)).toEqual([[1], [2]]);
    expect(seen.length).toBeLessThan(3000);
    await expect(stream.summary).rejects.toBe(error);
  });

  test("query gives arrays under columns", async () => {
    const result = await clientFor(stack).group("sales").db("main").query(numbers(2), [], { rows: "arrays", maxRows: 1 });
    expect(result).toEqual({ columns: [{ name: "v", type: expect.any(String) }, { name: "t", type: expect.any(String) }], rows: [[1, "x1"]], rowCount: 1, truncated: true });
  });

  test("query gives arrays even when an older gateway answers objects", async () => {
    // A stand-in for a gateway before row forms: it ignores `rows=` and answers objects.
    const old = Bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      fetch: () => Response.json({ columns: [{ name: "b", type: "text" }, { name: "a", type: "int" }], rows: [{ b: "x", a: 1 }, { a: 2, b: "y" }], rowCount: 2, truncated: false }),
    });
    try {
      const client = new OutpostClient({ url: `http://127.0.0.1:${old.port}`, token: "t" });
      const result = await client.group("sales").db("main").query("select b, a", [], { rows: "arrays" });
      expect(result.rows).toEqual([["x", 1], ["y", 2]]);
    } finally {
      old.stop(true);
    }
  });
});

describe("ndjsonLines", () => {
  const body = (...chunks: string[]) => {
    const encoder = new TextEncoder();
    return new ReadableStream<Uint8Array>({
      start(controller) {
        for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
        controller.close();
      },
    });
  };
  const read = async (stream: ReadableStream<Uint8Array>) => {
    const values: unknown[] = [];
    try {
      for await (const value of ndjsonLines(stream)) values.push(value);
    } catch (error) {
      return { values, error };
    }
    return { values };
  };

  test("lines cut anywhere, a character cut in two, CRLF, blank lines and no final newline", async () => {
    const bytes = new TextEncoder().encode('["€"]\n{"rowCount":1}');
    // Cut inside the three bytes of "€", then inside the last line.
    const cut = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const [from, to] of [[0, 3], [3, 12], [12, bytes.length]]) controller.enqueue(bytes.subarray(from, to));
        controller.close();
      },
    });
    expect(await read(cut)).toEqual({ values: [["€"], { rowCount: 1 }] });
    expect(await read(body('[1,"a\\nb"]\r\n', "\n  \n[2]\n[", "3]\n{\"rowCount\":3}"))).toEqual({ values: [[1, "a\nb"], [2], [3], { rowCount: 3 }] });
  });

  test("a bad line throws after the good lines before it; a line of two values is bad", async () => {
    const bad = await read(body("[1]\n[2]\nnot json\n[3]\n"));
    expect(bad.values).toEqual([[1], [2]]);
    expect(bad.error).toBeInstanceOf(SyntaxError);
    const two = await read(body("[1]\n[2],[3]\n[4]\n"));
    expect(two.values).toEqual([[1]]);
    expect(two.error).toBeInstanceOf(SyntaxError);
  });
});
