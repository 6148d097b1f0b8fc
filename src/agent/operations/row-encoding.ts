/**
 * @module
 * One encoder for a query's rows, whichever form the caller asked for (`rows`): a JSON
 * object, or a JSON array in column order (NDJSON's default). Both write every value with
 * the same `JSON.stringify`, so a value's bytes are the same in the two formats; the
 * connectors have already made each value JSON (docs/connectors.md, Values).
 *
 * The object form keeps the columns' order. `JSON.stringify(row)` does too, and is the
 * fast path, except when a column name is an array index (`"1"`, `"42"`): JavaScript puts
 * such keys first, so `select 'x' as b, 'y' as "1"` would come back as `{"1":…,"b":…}`.
 * Those rows are written key by key.
 */
import type { Column, Row } from "../../connectors/connector.ts";

export interface RowEncoder {
  /** `{"a":1,"b":"x"}` — the row as a JSON object, keys in column order. */
  object(row: Row): string;
  /** `[1,"x"]` — the row's values in column order (a name given twice repeats its value). */
  array(row: Row): string;
}

/** Canonical array-index keys, which JavaScript objects order before all others. */
const INDEX_KEY = /^(0|[1-9]\d*)$/;

export function rowEncoder(columns: readonly Column[]): RowEncoder {
  const names = columns.map((column) => column.name);
  const unique = [...new Set(names)];
  const reordered = unique.some((name) => INDEX_KEY.test(name) && Number(name) < 2 ** 32 - 1);
  const keys = unique.map((name) => `${JSON.stringify(name)}:`);
  return {
    object: reordered
      ? (row) => `{${unique.map((name, i) => keys[i] + JSON.stringify(row[name] ?? null)).join(",")}}`
      : (row) => JSON.stringify(row),
    array: (row) => JSON.stringify(names.map((name) => row[name] ?? null)),
  };
}
