/**
 * @module
 * Stored procedure calls for MySQL/MariaDB. `CALL` takes arguments by position only, so the
 * procedure's parameter list is read from `information_schema.PARAMETERS` and the request's
 * named parameters are put in that order. OUT and INOUT parameters travel through session
 * variables (`@outpost_out_1`), read back with one SELECT on the same connection.
 */
import type { CallRequest, JsonValue, Row } from "../connector.ts";
import { ConnectorError } from "../errors.ts";
import { mysqlToJson, mysqlTypeName, type MysqlField } from "./mysql-types.ts";

type Run = (sql: string, params: JsonValue[]) => Promise<[unknown, unknown]>;

export interface MysqlCall {
  sql: string;
  values: JsonValue[];
  /** Session variables to set before the CALL (INOUT parameters). */
  inout: [string, JsonValue][];
  /** `[parameter name, session variable, declared data type]` to read after the CALL. */
  outputs: [string, string, string][];
}

const quote = (name: string) => `\`${name.replaceAll("`", "``")}\``;

export async function buildMysqlCall(request: CallRequest, run: Run): Promise<MysqlCall> {
  const parts = request.procedure.split(".");
  if (parts.length > 2 || parts.some((part) => !part)) throw new ConnectorError("BAD_REQUEST", "procedure must be `name` or `schema.name`");
  const [schema, name] = parts.length === 2 ? parts : [null, parts[0]!];
  const [list] = await run(
    "SELECT PARAMETER_NAME, PARAMETER_MODE, DATA_TYPE FROM information_schema.PARAMETERS WHERE SPECIFIC_SCHEMA = COALESCE(?, DATABASE()) " +
      "AND SPECIFIC_NAME = ? AND ROUTINE_TYPE = 'PROCEDURE' AND ORDINAL_POSITION > 0 ORDER BY ORDINAL_POSITION",
    [schema, name!],
  );
  const given = request.params ?? {};
  const call: MysqlCall = { sql: "", values: [], inout: [], outputs: [] };
  const args: string[] = [];
  for (const [parameter, mode, dataType] of list as [string, string, string][]) {
    const spec = given[parameter];
    const value = spec !== null && typeof spec === "object" && !Array.isArray(spec) && (spec as { out?: unknown }).out === true
      ? ((spec as { value?: JsonValue }).value ?? null)
      : ((spec as JsonValue | undefined) ?? null);
    if (mode === "IN") {
      call.values.push(value);
      args.push("?");
      continue;
    }
    const variable = `@outpost_out_${call.outputs.length + 1}`;
    if (mode === "INOUT") call.inout.push([variable, value]);
    else call.inout.push([variable, null]);
    call.outputs.push([parameter, variable, dataType.toLowerCase()]);
    args.push(variable);
  }
  const unknown = Object.keys(given).filter((key) => !(list as [string, string][]).some(([parameter]) => parameter === key));
  if (unknown.length > 0) throw new ConnectorError("BAD_REQUEST", `unknown parameters for ${request.procedure}: ${unknown.join(", ")}`);
  call.sql = `CALL ${schema ? `${quote(schema)}.` : ""}${quote(name!)}(${args.join(", ")})`;
  return call;
}

/** Integer types that fit a JSON number; session variables forget the declared type, so it is restored here. */
const SMALL_INTEGERS = new Set(["tinyint", "smallint", "mediumint", "int"]);

export async function readOutputs(outputs: [string, string, string][], run: (sql: string) => Promise<[unknown, unknown]>): Promise<Record<string, JsonValue>> {
  const [rows, fields] = await run(`SELECT ${outputs.map(([name, variable]) => `${variable} AS ${quote(name)}`).join(", ")}`);
  const row = (rows as unknown[][])[0] ?? [];
  return Object.fromEntries((fields as MysqlField[]).map((field, i) => {
    const value = mysqlToJson(row[i], field);
    return [field.name, SMALL_INTEGERS.has(outputs[i]?.[2] ?? "") && typeof value === "string" ? Number(value) : value];
  }));
}

/** A CALL answers with one array of rows per SELECT inside the procedure, then a result header. */
export function toResultSets(results: unknown, fields: unknown): { columns: { name: string; type: string }[]; rows: Row[] }[] {
  if (!Array.isArray(results) || !Array.isArray(fields)) return [];
  const sets: { columns: { name: string; type: string }[]; rows: Row[] }[] = [];
  results.forEach((set, index) => {
    const described = fields[index] as MysqlField[] | undefined;
    if (!Array.isArray(set) || !Array.isArray(described)) return;
    sets.push({
      columns: described.map((field) => ({ name: field.name, type: mysqlTypeName(field) })),
      rows: (set as unknown[][]).map((values) => Object.fromEntries(described.map((field, i) => [field.name, mysqlToJson(values[i], field)]))),
    });
  });
  return sets;
}
