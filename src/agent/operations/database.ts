/**
 * @module
 * Database operations. A query streams in one of four forms, chosen by the gateway from the
 * caller's `Accept` (docs/api.md, Query): `format` json or ndjson, `rows` objects or arrays.
 * JSON is `{columns, rows, rowCount, truncated}` with each row an object (or an array in
 * column order); NDJSON is one line of columns, one line per row (an array in column order
 * by default, or an object), and a last line with `rowCount` and `truncated`. Neither is
 * ever held whole in memory: the cursor is pulled one batch at a time as the tunnel's flow
 * control lets the bytes out, and each batch goes out as one write (one string, encoded
 * once). The first batch waits for the second: a result of one batch — most queries —
 * leaves in a single DATA frame with its columns and its end, not three.
 */
import type { DatabaseConnector, JsonValue, Row } from "../../connectors/connector.ts";
import type { Managed, ManagedQueryResult } from "../../connectors/managed.ts";
import { ConnectorError } from "../../connectors/errors.ts";
import { toRemoteError, type Reply } from "../reply.ts";
import { optionalArray, optionalCount, optionalObject, optionalString, requiredString, type Args } from "./args.ts";
import type { OperationContext } from "./context.ts";
import { rowEncoder } from "./row-encoding.ts";

type Db = Managed<DatabaseConnector>;
type RowForm = "objects" | "arrays";

export async function query(db: Db, args: Args, reply: Reply, { ctx }: OperationContext): Promise<void> {
  const ndjson = optionalString(args, "format") === "ndjson";
  const asked = rowForm(args);
  const form = asked ?? (ndjson ? "arrays" : "objects");
  const result = await db.query({ sql: requiredString(args, "sql"), params: optionalArray(args, "params"), maxRows: optionalCount(args, "maxRows") }, ctx);
  const rows = result.rows[Symbol.asyncIterator]();
  // The form is named in the type only when the caller asked for one: plain callers keep
  // the exact content type they always had.
  const contentType = `${ndjson ? "application/x-ndjson" : "application/json"}; charset=utf-8${asked ? `; rows=${asked}` : ""}`;
  try {
    await reply.head(200, [["content-type", contentType]]);
    if (ndjson) await writeNdjson(result, rows, form, reply);
    else await writeJson(result, rows, form, reply);
    await reply.stream.end();
  } finally {
    // However the answer ended (the caller left before the head went out, say), the cursor
    // and the profile's concurrency slot are given back; a no-op once the rows ran out.
    await rows.return?.();
  }
}

function rowForm(args: Args): RowForm | undefined {
  const value = optionalString(args, "rows");
  if (value === undefined || value === "objects" || value === "arrays") return value;
  throw new ConnectorError("BAD_REQUEST", 'argument "rows" must be "objects" or "arrays"');
}

type Rows = AsyncIterator<Row[]>;

async function writeNdjson(result: ManagedQueryResult, rows: Rows, form: RowForm, reply: Reply): Promise<void> {
  const encode = rowEncoder(result.columns)[form === "arrays" ? "array" : "object"];
  let count = 0;
  let text = JSON.stringify({ columns: result.columns }) + "\n";
  let first = true;
  try {
    for (let next = await rows.next(); !next.done; next = await rows.next()) {
      for (const row of next.value) text += encode(row) + "\n";
      count += next.value.length;
      if (first) {
        first = false;
        continue;
      }
      await reply.write(text);
      text = "";
    }
  } catch (error) {
    // NDJSON readers see the failure as the last line, and the stream still ends cleanly.
    if (reply.stream.signal.aborted) throw error;
    await reply.write(text + JSON.stringify({ error: toRemoteError(error), rowCount: count }) + "\n");
    return;
  }
  await reply.write(text + JSON.stringify({ rowCount: count, truncated: result.truncated }) + "\n");
}

async function writeJson(result: ManagedQueryResult, rows: Rows, form: RowForm, reply: Reply): Promise<void> {
  const encode = rowEncoder(result.columns)[form === "arrays" ? "array" : "object"];
  let count = 0;
  let text = `{"columns":${JSON.stringify(result.columns)},"rows":[`;
  let first = true;
  // A failure here leaves the document unfinished; the reply resets the stream (reply.ts).
  for (let next = await rows.next(); !next.done; next = await rows.next()) {
    for (const row of next.value) text += (count++ === 0 ? "" : ",") + encode(row);
    if (first) {
      first = false;
      continue;
    }
    await reply.write(text);
    text = "";
  }
  await reply.write(`${text}],"rowCount":${count},"truncated":${result.truncated}}`);
}

export async function execute(db: Db, args: Args, reply: Reply, { ctx }: OperationContext): Promise<void> {
  const result = await db.execute({ sql: requiredString(args, "sql"), params: optionalArray(args, "params") }, ctx);
  await reply.json(result);
}

export async function batch(db: Db, args: Args, reply: Reply, { ctx }: OperationContext): Promise<void> {
  const rows = optionalArray(args, "rows") ?? [];
  if (!rows.every(Array.isArray)) throw new ConnectorError("BAD_REQUEST", 'argument "rows" must be a list of parameter lists');
  const result = await db.batch({ sql: requiredString(args, "sql"), rows: rows as JsonValue[][] }, ctx);
  await reply.json(result);
}

export async function call(db: Db, args: Args, reply: Reply, { ctx }: OperationContext): Promise<void> {
  if (!db.call) throw new ConnectorError("BAD_REQUEST", "this database profile does not support stored procedure calls");
  const params = optionalObject(args, "params") as Parameters<NonNullable<Db["call"]>>[0]["params"];
  const result = await db.call({ procedure: requiredString(args, "procedure"), params }, ctx);
  await reply.json(result);
}
