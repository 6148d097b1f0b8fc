/**
 * @module
 * Decoders for what tedious sends the test server: the PRELOGIN options, LOGIN7 (user,
 * password, database), SQL batches, RPC calls with typed parameters (int, bigint, bit,
 * float, nvarchar, varbinary, plain or PLP-chunked) and transaction manager requests.
 */

export interface Login7 {
  user: string;
  password: string;
  database: string;
  packetSize: number;
}

/** A decoded parameter value: numbers for int, strings for bigint and nvarchar, Buffer for varbinary. */
export type ParamValue = null | number | string | boolean | Buffer;

export interface RpcParam {
  name: string;
  output: boolean;
  /** `int`, `bigint`, `bit`, `float`, `nvarchar`, `varbinary`. */
  type: string;
  value: ParamValue;
}

export interface RpcCall {
  /** The procedure's name, or `sp_executesql` for id 10. */
  procedure: string;
  params: RpcParam[];
}

/** The client's ENCRYPT option (0 off, 1 on, 2 not supported, 3 required). */
export function preloginEncryption(payload: Buffer): number {
  for (let offset = 0; payload[offset] !== 0xff && offset < payload.length; offset += 5) {
    if (payload[offset] === 0x01) return payload[payload.readUInt16BE(offset + 1)]!;
  }
  return 2;
}

/** The password travels with each byte's nibbles swapped and XORed with 0xA5. */
export function decodePassword(bytes: Buffer): string {
  const plain = Buffer.from(bytes.map((b) => { const x = b ^ 0xa5; return ((x & 0x0f) << 4) | (x >> 4); }));
  return plain.toString("utf16le");
}

export function parseLogin7(payload: Buffer): Login7 {
  const text = (at: number) => payload.subarray(payload.readUInt16LE(at), payload.readUInt16LE(at) + payload.readUInt16LE(at + 2) * 2);
  return {
    packetSize: payload.readUInt32LE(8),
    user: text(40).toString("utf16le"),
    password: decodePassword(text(44)),
    database: text(68).toString("utf16le"),
  };
}

/** Skips ALL_HEADERS (a total length that includes itself). */
const afterHeaders = (payload: Buffer) => payload.readUInt32LE(0);

export function parseSqlBatch(payload: Buffer): string {
  return payload.subarray(afterHeaders(payload)).toString("utf16le");
}

export type TransactionRequest = "begin" | "commit" | "rollback" | "other";

export function parseTransactionRequest(payload: Buffer): TransactionRequest {
  const kind = payload.readUInt16LE(afterHeaders(payload));
  return kind === 5 ? "begin" : kind === 7 ? "commit" : kind === 8 ? "rollback" : "other";
}

const SPECIAL_PROCEDURES: Record<number, string> = { 10: "sp_executesql", 12: "sp_prepexec", 13: "sp_execute" };

export function parseRpc(payload: Buffer): RpcCall {
  let at = afterHeaders(payload);
  const nameLength = payload.readUInt16LE(at);
  at += 2;
  let procedure: string;
  if (nameLength === 0xffff) {
    procedure = SPECIAL_PROCEDURES[payload.readUInt16LE(at)] ?? `proc#${payload.readUInt16LE(at)}`;
    at += 2;
  } else {
    procedure = payload.subarray(at, at + nameLength * 2).toString("utf16le");
    at += nameLength * 2;
  }
  at += 2; // option flags
  const params: RpcParam[] = [];
  while (at < payload.length) {
    const length = payload[at]!;
    const name = payload.subarray(at + 1, at + 1 + length * 2).toString("utf16le").replace(/^@/, "");
    at += 1 + length * 2;
    const output = (payload[at]! & 0x01) !== 0;
    const [type, value, next] = readTypedValue(payload, at + 1);
    params.push({ name, output, type, value });
    at = next;
  }
  return { procedure, params };
}

function readTypedValue(b: Buffer, at: number): [string, ParamValue, number] {
  const id = b[at]!;
  if (id === 0x26 || id === 0x68 || id === 0x6d) {
    const length = b[at + 2]!;
    const start = at + 3;
    const next = start + length;
    if (length === 0) return [id === 0x26 ? (b[at + 1] === 8 ? "bigint" : "int") : id === 0x68 ? "bit" : "float", null, next];
    if (id === 0x68) return ["bit", b[start] === 1, next];
    if (id === 0x6d) return ["float", length === 8 ? b.readDoubleLE(start) : b.readFloatLE(start), next];
    if (length === 8) return ["bigint", b.readBigInt64LE(start).toString(), next];
    return ["int", length === 4 ? b.readInt32LE(start) : length === 2 ? b.readInt16LE(start) : b[start]!, next];
  }
  if (id === 0xe7 || id === 0xa5) {
    const max = b.readUInt16LE(at + 1) === 0xffff;
    const start = at + 3 + (id === 0xe7 ? 5 : 0);
    const [bytes, next] = max ? readPlp(b, start) : readShortLength(b, start);
    const type = id === 0xe7 ? "nvarchar" : "varbinary";
    return [type, bytes === null ? null : id === 0xe7 ? bytes.toString("utf16le") : bytes, next];
  }
  throw new Error(`tds stand-in: parameter type 0x${id.toString(16)} is not decoded`);
}

function readShortLength(b: Buffer, at: number): [Buffer | null, number] {
  const length = b.readUInt16LE(at);
  if (length === 0xffff) return [null, at + 2];
  return [b.subarray(at + 2, at + 2 + length), at + 2 + length];
}

/** PLP: an 8-byte total (all ones for NULL), then chunks each led by a 4-byte length, ended by a zero length. */
function readPlp(b: Buffer, at: number): [Buffer | null, number] {
  if (b.readBigUInt64LE(at) === 0xffffffffffffffffn) return [null, at + 8];
  let offset = at + 8;
  const chunks: Buffer[] = [];
  for (;;) {
    const length = b.readUInt32LE(offset);
    offset += 4;
    if (length === 0) break;
    chunks.push(b.subarray(offset, offset + length));
    offset += length;
  }
  return [Buffer.concat(chunks), offset];
}
