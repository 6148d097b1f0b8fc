/**
 * @module
 * What the benchmark reads: a throwaway PostgreSQL with TLS on and a `bulk` table of rows of
 * about 100 bytes, and a folder holding a file of random bytes for the transfer tests.
 */
import { mkdtempSync, openSync, writeSync, closeSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomFillSync } from "node:crypto";
import postgres from "postgres";
import { startPostgres, type TestPostgres } from "../support/postgres.ts";

export interface BenchData {
  pg: TestPostgres;
  /** Folder the agent's `files` profile serves; holds `big.bin`. */
  filesDir: string;
  /** Rows in `bulk` and the bytes of their text form (id and payload), for MB/s. */
  bulkRows: number;
  bulkBytes: number;
  fileBytes: number;
  stop(): Promise<void>;
}

/** The query every path runs for the bulk measurement. */
export const BULK_SQL = "select id, payload from bulk order by id";

/** Starts PostgreSQL (TLS), creates `bulk` with `rows` rows, writes a `fileBytes` random file. */
export async function startData(rows: number, fileBytes: number): Promise<BenchData> {
  // Direct, SSH and the bare relay pool 10 each; three agents 10 + 1 (type names) each.
  const pg = await startPostgres({ tls: true, maxConnections: 120 });
  const sql = postgres({ host: pg.host, port: pg.port, database: pg.database, username: pg.user, password: pg.password,
    ssl: { ca: pg.caPem, rejectUnauthorized: true }, max: 1, onnotice: () => {} });
  let bulkBytes: number;
  try {
    // md5 hex is 32 chars: three of them and a short tag make ~100 bytes per row with its id.
    await sql.unsafe(`CREATE TABLE bulk AS SELECT g AS id, md5(g::text) || md5((g * 7)::text) || md5((g * 13)::text) || '-row' AS payload ` +
      `FROM generate_series(1, ${rows}) AS g`);
    await sql.unsafe("VACUUM ANALYZE bulk");
    const [sum] = await sql.unsafe("SELECT sum(length(id::text) + length(payload))::bigint::text AS bytes FROM bulk");
    bulkBytes = Number(sum!.bytes);
  } finally {
    await sql.end({ timeout: 1 });
  }
  const filesDir = mkdtempSync(join(tmpdir(), "outpost-bench-files-"));
  writeRandomFile(join(filesDir, "big.bin"), fileBytes);
  return {
    pg,
    filesDir,
    bulkRows: rows,
    bulkBytes,
    fileBytes,
    async stop() {
      await pg.stop();
      rmSync(filesDir, { recursive: true, force: true });
    },
  };
}

/** Random bytes (so no layer can compress them), written 4 MiB at a time. */
function writeRandomFile(path: string, bytes: number): void {
  const chunk = Buffer.alloc(4 * 1024 * 1024);
  const fd = openSync(path, "w");
  try {
    for (let written = 0; written < bytes; ) {
      randomFillSync(chunk);
      const size = Math.min(chunk.length, bytes - written);
      writeSync(fd, chunk, 0, size);
      written += size;
    }
  } finally {
    closeSync(fd);
  }
}
