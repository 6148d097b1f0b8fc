/** @module The agent's one row encoder: JSON objects and NDJSON arrays write every value with the same bytes, in column order. */
import { expect, test } from "bun:test";
import { rowEncoder } from "../../src/agent/operations/row-encoding.ts";

const columns = (...names: string[]) => names.map((name) => ({ name, type: "text" }));

test("object and array carry the same value bytes, in column order, also for names like array indexes", () => {
  const row = { z: 0.1, "10": 3.14159, a: "1e400", "2": null, n: "9007199254740993" };
  const encode = rowEncoder(columns("z", "10", "a", "2", "n"));
  expect(encode.object(row)).toBe('{"z":0.1,"10":3.14159,"a":"1e400","2":null,"n":"9007199254740993"}');
  expect(encode.array(row)).toBe('[0.1,3.14159,"1e400",null,"9007199254740993"]');
});

test("a name given twice is one key of the object and repeats its value in the array", () => {
  const encode = rowEncoder(columns("a", "1", "a"));
  expect(encode.object({ a: 2, "1": true })).toBe('{"a":2,"1":true}');
  expect(encode.array({ a: 2, "1": true })).toBe("[2,true,2]");
});
