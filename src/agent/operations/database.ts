/**
 * @module
 * Database operations. A query streams: JSON (`{columns, rows: [{…}], rowCount,
 * truncated}`) is written row by row as it arrives, and NDJSON is one line of columns,
 * one JSON array per row (in column order), and a last line with `rowCount` and
 * `truncated`. Neither is ever held whole in memory; the cursor is pulled one batch at a
 * time as the tunnel's flow control lets the bytes out.
 */
import type { DatabaseConnector, JsonValue, Row } from "../../connectors/connector.ts";
import type { Managed, ManagedQueryResult } from "../../connectors/managed.ts";
import { ConnectorError } from "../../connectors/errors.ts";
import { toRemoteError, type Reply } from "../reply.ts";
import { optionalArray, optionalCount, optionalObject, optionalString, requiredString, type Args } from "./args.ts";
import type { OperationContext } from "./context.ts";
import { rowEncoder } from "./row-encoding.ts";

type Db = Managed<DatabaseConnector>;

const JSON_TYPE: [string, string] = ["content-type", "application/json; charset=utf-8"];
const NDJSON_TYPE: [string, string] = ["content-type", "application/x-ndjson; charset=utf-8"];

export async function query(db: Db, args: Args, reply: Reply, { ctx }: OperationContext): Promise<void> {
  const format = optionalString(args, "format") === "ndjson" ? "ndjson" : "json";
  const result = await db.query({ sql: requiredString(args, "sql"), params: optionalArray(args, "params"), maxRows: optionalCount(args, "maxRows") }, ctx);
  const rows = result.rows[Symbol.asyncIterator]();
  try {
    if (format === "ndjson") await writeNdjson(result, rows, reply);
    else await writeJson(result, rows, reply);
    await reply.stream.end();
  } finally {
    // However the answer ended (the caller left before the head went out, say), the cursor
    // and the profile's concurrency slot are given back; a no-op once the rows ran out.
    await rows.return?.();
  }
}

type Rows = AsyncIterator<Row[]>;

async function* batches(rows: Rows): AsyncGenerator<Row[]> {
  for (let next = await rows.next(); !next.done; next = await rows.next()) yield next.value;
}

async function writeNdjson(result: ManagedQueryResult, rows: Rows, reply: Reply): Promise<void> {
  const encode = rowEncoder(result.columns);
  let count = 0;
  await reply.head(200, [NDJSON_TYPE]);
  await reply.write(JSON.stringify({ columns: result.columns }) + "\n");
  try {
    for await (const batch of batches(rows)) {
      let text = "";
      for (const row of batch) text += encode.array(row) + "\n";
      count += batch.length;
      await reply.write(text);
    }
  } catch (error) {
    // NDJSON readers see the failure as the last line, and the stream still ends cleanly.
    if (reply.stream.signal.aborted) throw error;
    await reply.write(JSON.stringify({ error: toRemoteError(error), rowCount: count }) + "\n");
    return;
  }
  await reply.write(JSON.stringify({ rowCount: count, truncated: result.truncated }) + "\n");
}

async function writeJson(result: ManagedQueryResult, rows: Rows, reply: Reply): Promise<void> {
  const encode = rowEncoder(result.columns);
  let count = 0;
  await reply.head(200, [JSON_TYPE]);
  await reply.write(`{"columns":${JSON.stringify(result.columns)},"rows":[`);
  for await (const batch of batches(rows)) {
    let text = "";
    for (const row of batch) text += (count++ === 0 ? "" : ",") + encode.object(row);
    await reply.write(text);
  }
  await reply.write(`],"rowCount":${count},"truncated":${result.truncated}}`);
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
