/** @module What the SQLite test files share: a call context, reading all of a query's rows, a writer and a reader on one file. */
import { afterAll, beforeAll } from "bun:test";
import type { Row } from "../../src/connectors/connector.ts";
import { createCallContext } from "../../src/connectors/context.ts";
import { SqliteConnector } from "../../src/connectors/sqlite/sqlite-connector.ts";

export const ctx = () => createCallContext({ timeoutMs: 30_000 });

export async function rowsOf(connector: SqliteConnector, sql: string): Promise<Row[]> {
  const result = await connector.query({ sql }, ctx());
  const rows: Row[] = [];
  for await (const batch of result.rows) rows.push(...batch);
  return rows;
}

/**
 * A read-write and a read-only connector on one file holding an empty table `t (v text)`:
 * opened before the calling file's tests, closed after them.
 */
export function writerAndReader(path: string): { writer: SqliteConnector; reader: SqliteConnector } {
  const writer = new SqliteConnector({ path });
  const reader = new SqliteConnector({ path, readonly: true });
  beforeAll(async () => {
    await writer.init();
    await writer.execute({ sql: "create table t (v text)" }, ctx());
    await reader.init();
  });
  afterAll(async () => {
    await writer.close();
    await reader.close();
  });
  return { writer, reader };
}
