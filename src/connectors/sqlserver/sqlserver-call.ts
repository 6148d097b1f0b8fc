/**
 * @module
 * Stored procedure calls: an RPC naming the procedure (tedious `callProcedure`) with named
 * parameters; `{ out: true, type }` becomes an output parameter of that SQL type
 * (`int`, `bigint`, `nvarchar(50)`, `decimal(10,2)`, ... ; defaults to `nvarchar(4000)`),
 * read back from the server's RETURNVALUE tokens.
 */
import type { CallRequest, JsonValue } from "../connector.ts";
import { ConnectorError } from "../errors.ts";
import type { Tedious } from "./sqlserver-pool.ts";
import { toSqlServerParameter } from "./sqlserver-types.ts";
import type { Request } from "tedious";

const OUTPUT_TYPES: Record<string, string> = {
  int: "Int", bigint: "BigInt", smallint: "SmallInt", tinyint: "TinyInt", bit: "Bit", float: "Float", real: "Real",
  decimal: "Decimal", numeric: "Numeric", money: "Money", nvarchar: "NVarChar", varchar: "VarChar", nchar: "NChar", char: "Char",
  varbinary: "VarBinary", uniqueidentifier: "UniqueIdentifier", datetime2: "DateTime2", datetime: "DateTime",
  datetimeoffset: "DateTimeOffset", date: "Date", time: "Time",
};
const TYPE = /^\s*([a-z0-9]+)\s*(?:\(\s*(\d+|max)\s*(?:,\s*(\d+)\s*)?\))?\s*$/i;
const NAME = /^[A-Za-z_][A-Za-z0-9_.\[\]]*$/;
const PARAMETER = /^@?[A-Za-z_][A-Za-z0-9_]*$/;

/** Adds the request's parameters to a tedious procedure request. */
export function bindCall(tedious: Tedious, request: Request, call: CallRequest): void {
  for (const [key, spec] of Object.entries(call.params ?? {})) {
    if (!PARAMETER.test(key)) throw new ConnectorError("BAD_REQUEST", `invalid parameter name ${JSON.stringify(key)}`);
    const name = key.replace(/^@/, "");
    const out = spec !== null && typeof spec === "object" && !Array.isArray(spec) && (spec as { out?: unknown }).out === true;
    if (!out) {
      const parameter = toSqlServerParameter(spec as JsonValue);
      request.addParameter(name, tedious.TYPES[parameter.type], parameter.value);
      continue;
    }
    const { value, type } = spec as { value?: JsonValue; type?: string };
    const match = TYPE.exec(type ?? "nvarchar(4000)");
    const tediousName = match ? OUTPUT_TYPES[match[1]!.toLowerCase()] : undefined;
    if (!match || !tediousName) throw new ConnectorError("BAD_REQUEST", `unsupported output type ${JSON.stringify(type)} for parameter ${key}`);
    const size = match[2]?.toLowerCase() === "max" ? Infinity : match[2] ? Number(match[2]) : undefined;
    const options = /decimal|numeric/i.test(tediousName)
      ? { precision: size ?? 18, scale: match[3] ? Number(match[3]) : 0 }
      : size === undefined ? {} : { length: size };
    request.addOutputParameter(name, tedious.TYPES[tediousName as keyof Tedious["TYPES"]], value ?? null, options);
  }
}

export function checkProcedureName(name: string): void {
  if (!NAME.test(name)) throw new ConnectorError("BAD_REQUEST", `invalid procedure name ${JSON.stringify(name)}`);
}
