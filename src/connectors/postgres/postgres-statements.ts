/**
 * @module
 * Small helpers the PostgreSQL connector shares: tying a call's abort signal to a
 * server-side cancel, building a `CALL` with named arguments, and resolving type names
 * of column OIDs that are not built in (enums, domains, extension types).
 */
import type { CallRequest, JsonValue } from "../connector.ts";
import { ConnectorError } from "../errors.ts";
import type { PostgresPool } from "./postgres-pool.ts";
import { BUILTIN_TYPE_NAMES, toParameter } from "./postgres-types.ts";

export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** A type name safe to splice into a cast (`numeric(10,2)`, `text[]`, `timestamp with time zone`). */
const TYPE_NAME = /^[a-z_][a-z0-9_ ]*(\(\d+(,\s*\d+)?\))?(\[\])*$/i;

export interface CallStatement {
  /** `CALL "schema"."name"("a" => $1, "b" => $2::int4)`; the select form for functions. */
  call: string;
  select: string;
  values: unknown[];
}

/** Builds a CALL with named arguments; OUT parameters are passed as NULL (or their value for INOUT). */
export function buildCall(request: CallRequest): CallStatement {
  if (!request.procedure.trim()) throw new ConnectorError("BAD_REQUEST", "procedure name is empty");
  const name = request.procedure.split(".").map(quoteIdentifier).join(".");
  const values: unknown[] = [];
  const args: string[] = [];
  for (const [key, spec] of Object.entries(request.params ?? {})) {
    const out = spec !== null && typeof spec === "object" && !Array.isArray(spec) && (spec as { out?: unknown }).out === true;
    const { value, type } = out ? (spec as { value?: JsonValue; type?: string }) : { value: spec as JsonValue, type: undefined };
    if (type !== undefined && !TYPE_NAME.test(type)) throw new ConnectorError("BAD_REQUEST", `invalid type name for parameter ${key}`);
    values.push(toParameter(value ?? null));
    args.push(`${quoteIdentifier(key)} => $${values.length}${type ? `::${type}` : ""}`);
  }
  const list = args.join(", ");
  return { call: `CALL ${name}(${list})`, select: `SELECT * FROM ${name}(${list})`, values };
}

/** Names for column OIDs; non-built-in ones are looked up once on a separate connection and cached. */
export class TypeNames {
  readonly #cache = new Map<number, string>(Object.entries(BUILTIN_TYPE_NAMES).map(([oid, name]) => [Number(oid), name]));
  readonly #catalog: () => PostgresPool;

  /** `catalog` opens the lookup connection: not the main pool, whose connections may all hold cursors. */
  constructor(catalog: () => PostgresPool) {
    this.#catalog = catalog;
  }

  async resolve(oids: number[]): Promise<Map<number, string>> {
    const missing = [...new Set(oids)].filter((oid) => !this.#cache.has(oid));
    if (missing.length > 0) {
      try {
        const rows = await this.#catalog().unsafe("select oid::int4 as oid, typname from pg_type where oid = any($1::oid[])", [toParameter(missing) as string]);
        for (const row of rows as unknown as { oid: number; typname: string }[]) this.#cache.set(row.oid, row.typname);
      } catch {
        // A name is a nicety; the rows still flow. Unknown types show as `oid:<n>`.
      }
    }
    return new Map(oids.map((oid) => [oid, this.#cache.get(oid) ?? `oid:${oid}`]));
  }
}
