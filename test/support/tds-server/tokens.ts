/**
 * @module
 * Builders for the server's tokens (MS-TDS 2.2.7) as the test server sends them to tedious:
 * LOGINACK, ENVCHANGE, DONE/DONEINPROC/DONEPROC, ERROR, COLMETADATA, ROW, RETURNSTATUS and
 * RETURNVALUE, and the column types tests may ask for with their value encodings.
 */

/** Column types the server can describe; `value` is what a test puts in a row. */
export type ColumnType = "int" | "bigint" | "nvarchar" | "bit" | "float" | "real" | "money" | "decimal" | "datetime2" | "datetimeoffset" | "varbinary" | "uniqueidentifier";

export interface ColumnSpec {
  name: string;
  type: ColumnType;
  /** decimal: digits after the point (precision is 38). datetime2/datetimeoffset: fraction digits. Defaults to 2 and 7. */
  scale?: number;
}

/** Row values: numbers, bigint/decimal as strings, Date for date types, Buffer for varbinary. */
export type CellValue = null | number | string | boolean | Date | Buffer;

export const DONE_STATUS = { MORE: 0x01, ERROR: 0x02, IN_XACT: 0x04, COUNT: 0x10, ATTENTION: 0x20 } as const;

const COLLATION = Buffer.from([0x09, 0x04, 0xd0, 0x00, 0x34]); // Latin1_General_CI_AS
const ucs2 = (text: string) => Buffer.from(text, "utf16le");
const bVarChar = (text: string) => Buffer.concat([Buffer.from([text.length]), ucs2(text)]);
const usVarChar = (text: string) => { const length = Buffer.alloc(2); length.writeUInt16LE(text.length); return Buffer.concat([length, ucs2(text)]); };
const u16 = (n: number) => { const b = Buffer.alloc(2); b.writeUInt16LE(n); return b; };
const u32 = (n: number) => { const b = Buffer.alloc(4); b.writeUInt32LE(n); return b; };
const withLength16 = (token: number, body: Buffer) => Buffer.concat([Buffer.from([token]), u16(body.length), body]);

export function loginAck(): Buffer {
  const body = Buffer.concat([Buffer.from([1, 0x74, 0x00, 0x00, 0x04]), bVarChar("Outpost TDS stand-in"), Buffer.from([16, 0, 0, 1])]);
  return withLength16(0xad, body);
}

function envChange(type: number, fresh: Buffer, old: Buffer): Buffer {
  return withLength16(0xe3, Buffer.concat([Buffer.from([type]), fresh, old]));
}
const bVarByte = (bytes: Buffer) => Buffer.concat([Buffer.from([bytes.length]), bytes]);

export const envDatabase = (name: string) => envChange(1, bVarChar(name), bVarChar("master"));
export const envPacketSize = (size: number) => envChange(4, bVarChar(String(size)), bVarChar(String(size)));
export const envCollation = () => envChange(7, bVarByte(COLLATION), bVarByte(Buffer.alloc(0)));
export const envBeginTransaction = (descriptor: Buffer) => envChange(8, bVarByte(descriptor), bVarByte(Buffer.alloc(0)));
export const envCommitTransaction = (descriptor: Buffer) => envChange(9, bVarByte(Buffer.alloc(0)), bVarByte(descriptor));
/** ENVCHANGE 18: the server acknowledges a RESETCONNECTION request. */
export const envResetAck = () => envChange(18, bVarByte(Buffer.alloc(0)), bVarByte(Buffer.alloc(0)));
export const envRollbackTransaction = (descriptor: Buffer) => envChange(10, bVarByte(Buffer.alloc(0)), bVarByte(descriptor));

/** DONE (0xFD), DONEPROC (0xFE) or DONEINPROC (0xFF); `count` sets the COUNT bit. `command` is the CurCmd. */
export function done(options: { status?: number; count?: number; command?: number; token?: 0xfd | 0xfe | 0xff } = {}): Buffer {
  const body = Buffer.alloc(13);
  body[0] = options.token ?? 0xfd;
  body.writeUInt16LE((options.status ?? 0) | (options.count === undefined ? 0 : DONE_STATUS.COUNT), 1);
  body.writeUInt16LE(options.command ?? 0xc1, 3);
  body.writeBigUInt64LE(BigInt(options.count ?? 0), 5);
  return body;
}

export function error(number: number, message: string, options: { state?: number; severity?: number } = {}): Buffer {
  const body = Buffer.concat([u32(number), Buffer.from([options.state ?? 1, options.severity ?? 16]), usVarChar(message), bVarChar("standin"), bVarChar(""), u32(1)]);
  return withLength16(0xaa, body);
}

export function returnStatus(value: number): Buffer {
  const body = Buffer.alloc(5);
  body[0] = 0x79;
  body.writeInt32LE(value, 1);
  return body;
}

function typeInfo(column: ColumnSpec): Buffer {
  switch (column.type) {
    case "int": return Buffer.from([0x26, 4]);
    case "bigint": return Buffer.from([0x26, 8]);
    case "bit": return Buffer.from([0x68, 1]);
    case "float": return Buffer.from([0x6d, 8]);
    case "real": return Buffer.from([0x6d, 4]);
    case "money": return Buffer.from([0x6e, 8]);
    case "decimal": return Buffer.from([0x6a, 17, 38, column.scale ?? 2]);
    case "datetime2": return Buffer.from([0x2a, column.scale ?? 7]);
    case "datetimeoffset": return Buffer.from([0x2b, column.scale ?? 7]);
    case "nvarchar": return Buffer.concat([Buffer.from([0xe7]), u16(8000), COLLATION]);
    case "varbinary": return Buffer.concat([Buffer.from([0xa5]), u16(8000)]);
    case "uniqueidentifier": return Buffer.from([0x24, 16]);
  }
}

/** UserType, flags (nullable) and TYPE_INFO: the shared prefix of a column and a return value. */
const metadata = (column: ColumnSpec) => Buffer.concat([u32(0), u16(0x0001), typeInfo(column)]);

export function colMetadata(columns: ColumnSpec[]): Buffer {
  return Buffer.concat([Buffer.from([0x81]), u16(columns.length), ...columns.map((c) => Buffer.concat([metadata(c), bVarChar(c.name)]))]);
}

export function row(columns: ColumnSpec[], values: CellValue[]): Buffer {
  return Buffer.concat([Buffer.from([0xd1]), ...columns.map((column, i) => encodeValue(column, values[i] ?? null))]);
}

export function returnValue(ordinal: number, name: string, column: ColumnSpec, value: CellValue): Buffer {
  return Buffer.concat([Buffer.from([0xac]), u16(ordinal), bVarChar(`@${name}`), Buffer.from([0x01]), metadata(column), encodeValue(column, value)]);
}

function encodeValue(column: ColumnSpec, value: CellValue): Buffer {
  const variable = column.type === "nvarchar" || column.type === "varbinary";
  if (value === null) return variable ? u16(0xffff) : Buffer.from([0]);
  switch (column.type) {
    case "int": { const b = Buffer.alloc(5); b[0] = 4; b.writeInt32LE(Number(value), 1); return b; }
    case "bigint": { const b = Buffer.alloc(9); b[0] = 8; b.writeBigInt64LE(BigInt(value as string | number), 1); return b; }
    case "bit": return Buffer.from([1, value ? 1 : 0]);
    case "float": { const b = Buffer.alloc(9); b[0] = 8; b.writeDoubleLE(Number(value), 1); return b; }
    case "real": { const b = Buffer.alloc(5); b[0] = 4; b.writeFloatLE(Number(value), 1); return b; }
    case "money": return encodeMoney(String(value));
    case "decimal": return encodeDecimal(String(value), column.scale ?? 2);
    case "nvarchar": { const text = ucs2(String(value)); return Buffer.concat([u16(text.length), text]); }
    case "varbinary": { const bytes = value as Buffer; return Buffer.concat([u16(bytes.length), bytes]); }
    case "uniqueidentifier": return Buffer.concat([Buffer.from([16]), guidBytes(String(value))]);
    case "datetime2": return encodeDateTime(value as Date, column.scale ?? 7, false);
    case "datetimeoffset": return encodeDateTime(value as Date, column.scale ?? 7, true);
  }
}

/** money: the value in 1/10,000ths as an int64, its high 32 bits first. */
function encodeMoney(text: string): Buffer {
  const [whole = "0", fraction = ""] = text.replace("-", "").split(".");
  const units = BigInt.asUintN(64, BigInt(whole + fraction.padEnd(4, "0").slice(0, 4)) * (text.startsWith("-") ? -1n : 1n));
  const b = Buffer.alloc(9);
  b[0] = 8;
  b.writeUInt32LE(Number(units >> 32n), 1);
  b.writeUInt32LE(Number(units & 0xffffffffn), 5);
  return b;
}

function encodeDecimal(text: string, scale: number): Buffer {
  const negative = text.startsWith("-");
  const [whole = "0", fraction = ""] = text.replace("-", "").split(".");
  const magnitude = BigInt(whole + fraction.padEnd(scale, "0").slice(0, scale));
  const b = Buffer.alloc(18);
  b[0] = 17;
  b[1] = negative ? 0 : 1;
  b.writeBigUInt64LE(magnitude & 0xffffffffffffffffn, 2);
  b.writeBigUInt64LE(magnitude >> 64n, 10);
  return b;
}

/** datetime2 / datetimeoffset: time in 10^-scale s units (5 bytes at scale 7), then days since 0001-01-01 (3 bytes), then the offset. */
function encodeDateTime(date: Date, scale: number, offset: boolean): Buffer {
  const ms = date.getTime();
  const dayMs = 86_400_000;
  const days = Math.floor(ms / dayMs) + 719_162;
  const units = BigInt(ms - Math.floor(ms / dayMs) * dayMs) * 10n ** BigInt(scale) / 1000n;
  const timeLength = scale <= 2 ? 3 : scale <= 4 ? 4 : 5;
  const b = Buffer.alloc(1 + timeLength + 3 + (offset ? 2 : 0));
  b[0] = b.length - 1;
  for (let i = 0; i < timeLength; i++) b[1 + i] = Number((units >> BigInt(8 * i)) & 0xffn);
  b.writeUIntLE(days, 1 + timeLength, 3);
  if (offset) b.writeInt16LE(0, 4 + timeLength);
  return b;
}

/** A GUID's wire form: the first three groups little-endian. */
function guidBytes(text: string): Buffer {
  const hex = Buffer.from(text.replaceAll("-", ""), "hex");
  return Buffer.concat([Buffer.from(hex.subarray(0, 4)).reverse(), Buffer.from(hex.subarray(4, 6)).reverse(), Buffer.from(hex.subarray(6, 8)).reverse(), hex.subarray(8)]);
}
