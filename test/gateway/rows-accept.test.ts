/**
 * @module
 * Choosing a query's row form with `Accept`: objects by default in JSON, arrays by default
 * in NDJSON (as always), `rows=arrays` or `rows=objects` on either, a bad `rows=` refused
 * with 400 before anything reaches an agent; and `maxRows`/`truncated` and a mid-stream
 * error line in every NDJSON form, through a real gateway and agent (SQLite profile).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { GatewayError } from "../../src/gateway/http-errors.ts";
import { queryForm } from "../../src/gateway/invoke/parse.ts";
import type { Stack } from "../support/stack.ts";
import { numbersSql, startSqliteStack } from "../client/support.ts";

describe("queryForm", () => {
  test("JSON unless a range names NDJSON; rows from the chosen range; q=0 ranges skipped", () => {
    for (const accept of [null, "", "*/*", "text/html", "application/json"]) expect(queryForm(accept)).toEqual({ format: "json", rows: undefined });
    expect(queryForm("application/x-ndjson")).toEqual({ format: "ndjson", rows: undefined });
    expect(queryForm("Application/X-NDJSON; Rows=\"arrays\"")).toEqual({ format: "ndjson", rows: "arrays" });
    expect(queryForm("application/json; rows=arrays")).toEqual({ format: "json", rows: "arrays" });
    expect(queryForm("application/json; rows=arrays, application/x-ndjson; rows=objects")).toEqual({ format: "ndjson", rows: "objects" });
    expect(queryForm("application/x-ndjson; q=0, application/json; rows=arrays; q=0.5")).toEqual({ format: "json", rows: "arrays" });
    expect(queryForm("application/x-ndjson;charset=utf-8;q=0.9")).toEqual({ format: "ndjson", rows: undefined });
  });

  test("a rows value that is not a row form is a BAD_REQUEST naming the choices", () => {
    for (const accept of ["application/x-ndjson; rows=columns", "application/json; rows=", "application/json; rows=ARRAYS"]) {
      let error: unknown;
      try {
        queryForm(accept);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(GatewayError);
      expect(error).toMatchObject({ code: "BAD_REQUEST" });
      expect((error as Error).message).toContain("use rows=objects or rows=arrays");
    }
  });
});

let stack: Stack;

beforeAll(async () => {
  stack = await startSqliteStack();
});

afterAll(async () => {
  await stack?.stop();
});

const numbers = (n: number, select = "i as v, 'x' || i as t") => numbersSql(n, select);
/** Rows 1…2999, then an integer overflow: the error comes after the first batches went out. */
const FAILS_MIDWAY = numbers(5000, "case when i < 3000 then i else abs(-9223372036854775808) end as v, 'x' as t");

function query(body: Record<string, unknown>, accept?: string): Promise<Response> {
  return stack.call("/v1/groups/sales/db/main/query", { method: "POST", body: JSON.stringify(body), headers: accept ? { accept } : {} });
}

const lines = async (response: Response) => (await response.text()).trim().split("\n").map((line) => JSON.parse(line) as unknown);

describe("through the gateway", () => {
  test("objects in JSON and arrays in NDJSON by default, with the content types callers always had", async () => {
    const json = await query({ sql: numbers(2) });
    expect(json.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(((await json.json()) as { rows: unknown[] }).rows).toEqual([{ v: 1, t: "x1" }, { v: 2, t: "x2" }]);
    const stream = await query({ sql: numbers(2) }, "application/x-ndjson");
    expect(stream.headers.get("content-type")).toBe("application/x-ndjson; charset=utf-8");
    expect((await lines(stream)).slice(1)).toEqual([[1, "x1"], [2, "x2"], { rowCount: 2, truncated: false }]);
  });

  test("a form asked for is the form sent, and the content type names it", async () => {
    const cases = [
      { accept: "application/json; rows=arrays", type: "application/json; charset=utf-8; rows=arrays" },
      { accept: "application/json; rows=objects", type: "application/json; charset=utf-8; rows=objects" },
      { accept: "application/x-ndjson; rows=arrays", type: "application/x-ndjson; charset=utf-8; rows=arrays" },
      { accept: "application/x-ndjson; rows=objects", type: "application/x-ndjson; charset=utf-8; rows=objects" },
    ];
    const answers = await Promise.all(cases.map(async ({ accept }) => {
      const response = await query({ sql: numbers(2) }, accept);
      return { type: response.headers.get("content-type"), text: await response.text() };
    }));
    expect(answers.map((answer) => answer.type)).toEqual(cases.map((c) => c.type));
    expect(JSON.parse(answers[0]!.text).rows).toEqual([[1, "x1"], [2, "x2"]]);
    expect(JSON.parse(answers[1]!.text).rows).toEqual([{ v: 1, t: "x1" }, { v: 2, t: "x2" }]);
    expect(answers[2]!.text.split("\n").slice(1, 3)).toEqual(['[1,"x1"]', '[2,"x2"]']);
    expect(answers[3]!.text.split("\n").slice(1, 3)).toEqual(['{"v":1,"t":"x1"}', '{"v":2,"t":"x2"}']);
  });

  test("a bad rows= is 400 BAD_REQUEST with a message naming the choices", async () => {
    const response = await query({ sql: numbers(2) }, "application/x-ndjson; rows=columns");
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe("BAD_REQUEST");
    expect(error.message).toBe('Accept: application/x-ndjson; rows="columns" is not a row form; use rows=objects or rows=arrays');
  });

  test("the body cannot pick the form: its own format and rows are dropped", async () => {
    const response = await query({ sql: numbers(1), format: "ndjson", rows: "columns" }, "application/json");
    expect(response.status).toBe(200);
    expect(((await response.json()) as { rows: unknown[] }).rows).toEqual([{ v: 1, t: "x1" }]);
  });

  test.each(["arrays", "objects"])("rows=%s: maxRows cuts the stream and the summary says truncated", async (rows) => {
    const answer = await lines(await query({ sql: numbers(100), maxRows: 2 }, `application/x-ndjson; rows=${rows}`));
    const row = (v: number) => (rows === "arrays" ? [v, `x${v}`] : { v, t: `x${v}` });
    expect(answer.slice(1)).toEqual([row(1), row(2), { rowCount: 2, truncated: true }]);
    const json = (await (await query({ sql: numbers(100), maxRows: 2 }, `application/json; rows=${rows}`)).json()) as Record<string, unknown>;
    expect(json).toMatchObject({ rows: [row(1), row(2)], rowCount: 2, truncated: true });
  });

  test.each(["arrays", "objects"])("rows=%s: a failure after rows went out is the last line, counting the rows sent", async (rows) => {
    const answer = await lines(await query({ sql: FAILS_MIDWAY }, `application/x-ndjson; rows=${rows}`));
    const last = answer.at(-1) as { error: { code: string; message: string }; rowCount: number };
    const sent = answer.slice(1, -1);
    expect(last.error.code).toBe("QUERY_FAILED");
    expect(last.error.message).toContain("integer overflow");
    expect(last.rowCount).toBe(sent.length);
    expect(sent.length).toBeGreaterThan(0);
    expect(sent[0]).toEqual(rows === "arrays" ? [1, "x"] : { v: 1, t: "x" });
  });
});
