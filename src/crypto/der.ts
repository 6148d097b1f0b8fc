/**
 * @module
 * A tiny DER encoder: just the ASN.1 types an X.509 certificate needs (ITU-T X.690).
 * Every helper returns the complete encoding (tag, length, contents) as bytes, so
 * structures are built by nesting calls, the way the ASN.1 in RFC 5280 reads.
 */

/** Tag, length and contents. Lengths over 127 use the long form, as DER requires. */
export function tlv(tag: number, contents: Uint8Array): Uint8Array {
  const length = contents.length;
  let header: number[];
  if (length < 0x80) {
    header = [tag, length];
  } else {
    const lengthBytes: number[] = [];
    for (let rest = length; rest > 0; rest >>>= 8) lengthBytes.unshift(rest & 0xff);
    header = [tag, 0x80 | lengthBytes.length, ...lengthBytes];
  }
  const out = new Uint8Array(header.length + length);
  out.set(header);
  out.set(contents, header.length);
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

export function sequence(...items: Uint8Array[]): Uint8Array {
  return tlv(0x30, concat(items));
}

/** A SET OF. DER sorts the members by their encodings; callers here pass one member. */
export function set(...items: Uint8Array[]): Uint8Array {
  const sorted = [...items].sort((a, b) => Buffer.compare(a, b));
  return tlv(0x31, concat(sorted));
}

/** An INTEGER from an unsigned big-endian magnitude or a small non-negative number. */
export function integer(value: Uint8Array | number): Uint8Array {
  let bytes = typeof value === "number" ? unsignedBytes(value) : value;
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  bytes = bytes.subarray(start);
  // A set high bit would read as negative: prefix a zero byte to keep it positive.
  if (bytes.length === 0 || (bytes[0]! & 0x80) !== 0) bytes = concat([new Uint8Array([0]), bytes]);
  return tlv(0x02, bytes);
}

function unsignedBytes(value: number): Uint8Array {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`DER integer must be a non-negative safe integer`);
  const bytes: number[] = [];
  for (let rest = value; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return new Uint8Array(bytes);
}

export function boolean(value: boolean): Uint8Array {
  return tlv(0x01, new Uint8Array([value ? 0xff : 0x00]));
}

/** An OBJECT IDENTIFIER from dotted form, e.g. `"2.5.4.3"`. */
export function oid(dotted: string): Uint8Array {
  const arcs = dotted.split(".").map(Number);
  const [first = 0, second = 0, ...rest] = arcs;
  const bytes: number[] = [];
  for (const arc of [first * 40 + second, ...rest]) {
    // Base 128, most significant group first, high bit set on all but the last.
    const groups = [arc & 0x7f];
    for (let remaining = Math.floor(arc / 128); remaining > 0; remaining = Math.floor(remaining / 128)) {
      groups.unshift((remaining & 0x7f) | 0x80);
    }
    bytes.push(...groups);
  }
  return tlv(0x06, new Uint8Array(bytes));
}

export function utf8String(text: string): Uint8Array {
  return tlv(0x0c, new TextEncoder().encode(text));
}

export function printableString(text: string): Uint8Array {
  if (!/^[A-Za-z0-9 '()+,\-./:=?]*$/.test(text)) throw new RangeError(`not a PrintableString: ${JSON.stringify(text)}`);
  return tlv(0x13, new TextEncoder().encode(text));
}

/** A BIT STRING whose last `unusedBits` bits (0–7) are padding. */
export function bitString(bytes: Uint8Array, unusedBits = 0): Uint8Array {
  return tlv(0x03, concat([new Uint8Array([unusedBits]), bytes]));
}

export function octetString(bytes: Uint8Array): Uint8Array {
  return tlv(0x04, bytes);
}

/** `[n] EXPLICIT`: a constructed context tag wrapping a whole encoding. */
export function explicit(tagNumber: number, inner: Uint8Array): Uint8Array {
  return tlv(0xa0 | tagNumber, inner);
}

/** `[n] IMPLICIT` of a primitive type: the context tag replaces the type's own tag. */
export function implicit(tagNumber: number, contents: Uint8Array): Uint8Array {
  return tlv(0x80 | tagNumber, contents);
}

/**
 * A certificate validity time per RFC 5280 §4.1.2.5: UTCTime (YYMMDDHHMMSSZ) for years
 * 1950–2049, GeneralizedTime (YYYYMMDDHHMMSSZ) otherwise. Milliseconds are dropped.
 */
export function time(date: Date): Uint8Array {
  const year = date.getUTCFullYear();
  const pad = (n: number) => String(n).padStart(2, "0");
  const rest =
    pad(date.getUTCMonth() + 1) + pad(date.getUTCDate()) +
    pad(date.getUTCHours()) + pad(date.getUTCMinutes()) + pad(date.getUTCSeconds()) + "Z";
  const encoder = new TextEncoder();
  if (year >= 1950 && year < 2050) return tlv(0x17, encoder.encode(pad(year % 100) + rest));
  return tlv(0x18, encoder.encode(String(year).padStart(4, "0") + rest));
}
