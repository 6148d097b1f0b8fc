/**
 * @module
 * IPv4 and IPv6 addresses and CIDR ranges, parsed to bytes and matched bit by bit. Small
 * on purpose: no DNS, no ranges other than prefixes. An IPv4-mapped IPv6 address
 * (`::ffff:10.0.0.1`, what a dual-stack socket reports) matches IPv4 ranges, and a zone
 * (`fe80::1%eth0`) is ignored when matching.
 */
import { GatewayError } from "../http-errors.ts";

export interface Cidr {
  /** Network bytes: 4 for IPv4, 16 for IPv6, host bits zero. */
  readonly bytes: Uint8Array;
  readonly prefix: number;
}

/** Parses a dotted IPv4 address; `undefined` when it is not one. Leading zeros are refused (ambiguous octal). */
export function parseIpv4(text: string): Uint8Array | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  const bytes = new Uint8Array(4);
  for (const [index, part] of parts.entries()) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part) || Number(part) > 255) return undefined;
    bytes[index] = Number(part);
  }
  return bytes;
}

/** Parses an IPv6 address (with `::` and an optional dotted IPv4 tail); `undefined` when it is not one. */
export function parseIpv6(text: string): Uint8Array | undefined {
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const compressed = halves.length === 2;
  const head = parseGroups(halves[0]!, !compressed);
  const tail = compressed ? parseGroups(halves[1]!, true) : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  // `::` stands for at least one zero group; without it there must be exactly eight.
  if (compressed ? missing < 1 : missing !== 0) return undefined;
  const groups = [...head, ...new Array<number>(compressed ? missing : 0).fill(0), ...tail];
  const bytes = new Uint8Array(16);
  groups.forEach((group, index) => {
    bytes[index * 2] = group >> 8;
    bytes[index * 2 + 1] = group & 0xff;
  });
  return bytes;
}

function parseGroups(text: string, dottedTail: boolean): number[] | undefined {
  if (text === "") return [];
  const parts = text.split(":");
  const groups: number[] = [];
  for (const [index, part] of parts.entries()) {
    if (dottedTail && index === parts.length - 1 && part.includes(".")) {
      const v4 = parseIpv4(part);
      if (!v4) return undefined;
      groups.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
    } else if (/^[0-9a-fA-F]{1,4}$/.test(part)) {
      groups.push(parseInt(part, 16));
    } else {
      return undefined;
    }
  }
  return groups;
}

/** Parses an IPv4 or IPv6 address to 4 or 16 bytes, dropping an IPv6 zone. */
export function parseIp(text: string): Uint8Array | undefined {
  if (text.includes(":")) return parseIpv6(text.replace(/%[^%]*$/, ""));
  return parseIpv4(text);
}

/**
 * Parses `10.0.0.0/8`, `2001:db8::/32`, or a bare address (a /32 or /128). Throws
 * BAD_REQUEST for anything else, including host bits set past the prefix
 * (`10.0.0.1/8`), which is almost always a typo.
 */
export function parseCidr(text: string): Cidr {
  const trimmed = text.trim();
  const [address = "", prefixText, extra] = trimmed.split("/");
  const bytes = address.includes("%") ? undefined : parseIp(address);
  if (!bytes || extra !== undefined) throw invalid(text, "not an IPv4 or IPv6 address or CIDR");
  const max = bytes.length * 8;
  if (prefixText !== undefined && !/^(0|[1-9][0-9]{0,2})$/.test(prefixText)) throw invalid(text, "the prefix length is not a number");
  const prefix = prefixText === undefined ? max : Number(prefixText);
  if (prefix > max) throw invalid(text, `the prefix length must be at most ${max}`);
  if (!bitsMatch(bytes, new Uint8Array(bytes.length), prefix, true)) {
    throw invalid(text, `host bits are set; did you mean ${formatNetwork(bytes, prefix)}?`);
  }
  return { bytes, prefix };
}

/** Whether `ip` lies in any of `cidrs`. An unparsable `ip` matches nothing. */
export function ipInCidrs(ip: string, cidrs: readonly (string | Cidr)[]): boolean {
  let bytes = parseIp(ip);
  if (!bytes) return false;
  const mapped = bytes.length === 16 && bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  for (const entry of cidrs) {
    const cidr = typeof entry === "string" ? parseCidr(entry) : entry;
    const candidate = mapped && cidr.bytes.length === 4 ? bytes.slice(12) : bytes;
    if (candidate.length === cidr.bytes.length && bitsMatch(candidate, cidr.bytes, cidr.prefix)) return true;
  }
  return false;
}

/** Compares the first `prefix` bits; with `suffix`, compares the bits after it against zero instead. */
function bitsMatch(address: Uint8Array, network: Uint8Array, prefix: number, suffix = false): boolean {
  for (let bit = 0; bit < address.length * 8; bit++) {
    if (bit < prefix === suffix) continue;
    const mask = 0x80 >> bit % 8;
    const a = address[bit >> 3]! & mask;
    const n = suffix ? 0 : network[bit >> 3]! & mask;
    if (a !== n) return false;
  }
  return true;
}

function formatNetwork(bytes: Uint8Array, prefix: number): string {
  const masked = bytes.map((byte, index) => {
    const keep = Math.max(0, Math.min(8, prefix - index * 8));
    return byte & (0xff << (8 - keep));
  });
  if (masked.length === 4) return `${masked.join(".")}/${prefix}`;
  const groups: string[] = [];
  for (let index = 0; index < 16; index += 2) groups.push(((masked[index]! << 8) | masked[index + 1]!).toString(16));
  return `${groups.join(":").replace(/(^|:)0(:0)+(:|$)/, "::")}/${prefix}`;
}

function invalid(text: string, why: string): GatewayError {
  return new GatewayError("BAD_REQUEST", `invalid CIDR "${text}": ${why}`);
}
