/**
 * @module
 * X.509 v3 certificates made in-process, so `outpost dev` can run a TLS gateway with its
 * own CA on a machine without `openssl`. `node:crypto` makes the ECDSA P-256 keys and the
 * signatures; the certificate structure (RFC 5280) is encoded here with `der.ts`.
 */
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from "node:crypto";
import { isIPv4, isIPv6 } from "node:net";
import * as der from "./der.ts";

export interface PemPair {
  certPem: string;
  /** PKCS#8 PEM ("BEGIN PRIVATE KEY"). */
  keyPem: string;
}

export interface CertificateAuthority extends PemPair {
  /**
   * Issues a server certificate (serverAuth + clientAuth EKU) for the given names.
   * Defaults: dns `["localhost"]`, ips `["127.0.0.1", "::1"]`, days 825.
   */
  issue(options: { commonName: string; dns?: string[]; ips?: string[]; days?: number }): PemPair;
}

const OID = {
  ecdsaWithSha256: "1.2.840.10045.4.3.2",
  commonName: "2.5.4.3",
  organization: "2.5.4.10",
  subjectKeyIdentifier: "2.5.29.14",
  keyUsage: "2.5.29.15",
  subjectAltName: "2.5.29.17",
  basicConstraints: "2.5.29.19",
  authorityKeyIdentifier: "2.5.29.35",
  extKeyUsage: "2.5.29.37",
  serverAuth: "1.3.6.1.5.5.7.3.1",
  clientAuth: "1.3.6.1.5.5.7.3.2",
};

/** RFC 5280 §4.1.1.2 / RFC 5758: ecdsa-with-SHA256 has no parameters. */
const SIGNATURE_ALGORITHM = der.sequence(der.oid(OID.ecdsaWithSha256));

/** Key usage bits, numbered as in RFC 5280 §4.2.1.3. */
const KEY_USAGE = { digitalSignature: 0, keyCertSign: 5, cRLSign: 6 } as const;

/** Backdating covers clocks a little behind ours. */
const BACKDATE_MS = 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * A new self-signed CA: basicConstraints CA:TRUE and keyUsage keyCertSign + cRLSign (both
 * critical), subject/authority key identifiers. Defaults: days 3650.
 */
export function createCertificateAuthority(options: { commonName: string; days?: number }): CertificateAuthority {
  const keys = newKeyPair();
  const name = distinguishedName(options.commonName);
  const keyId = keyIdentifier(keys.publicKey);
  const certPem = signCertificate({
    issuer: name, subject: name, subjectKey: keys.publicKey, signingKey: keys.privateKey,
    days: options.days ?? 3650,
    extensions: [
      extension(OID.basicConstraints, true, der.sequence(der.boolean(true))),
      extension(OID.keyUsage, true, keyUsage([KEY_USAGE.keyCertSign, KEY_USAGE.cRLSign])),
      extension(OID.subjectKeyIdentifier, false, der.octetString(keyId)),
      extension(OID.authorityKeyIdentifier, false, der.sequence(der.implicit(0, keyId))),
    ],
  });
  return {
    certPem,
    keyPem: privateKeyPem(keys.privateKey),
    issue(leaf) {
      const leafKeys = newKeyPair();
      const altNames = [
        ...(leaf.dns ?? ["localhost"]).map((dns) => der.implicit(2, new TextEncoder().encode(dns))),
        ...(leaf.ips ?? ["127.0.0.1", "::1"]).map((ip) => der.implicit(7, ipAddressBytes(ip))),
      ];
      const leafPem = signCertificate({
        issuer: name, subject: distinguishedName(leaf.commonName), subjectKey: leafKeys.publicKey,
        signingKey: keys.privateKey, days: leaf.days ?? 825,
        extensions: [
          extension(OID.basicConstraints, false, der.sequence()),
          extension(OID.keyUsage, true, keyUsage([KEY_USAGE.digitalSignature])),
          extension(OID.extKeyUsage, false, der.sequence(der.oid(OID.serverAuth), der.oid(OID.clientAuth))),
          extension(OID.subjectAltName, false, der.sequence(...altNames)),
          extension(OID.subjectKeyIdentifier, false, der.octetString(keyIdentifier(leafKeys.publicKey))),
          extension(OID.authorityKeyIdentifier, false, der.sequence(der.implicit(0, keyId))),
        ],
      });
      return { certPem: leafPem, keyPem: privateKeyPem(leafKeys.privateKey) };
    },
  };
}

function newKeyPair(): { publicKey: KeyObject; privateKey: KeyObject } {
  return generateKeyPairSync("ec", { namedCurve: "prime256v1" });
}

function signCertificate(input: {
  issuer: Uint8Array;
  subject: Uint8Array;
  subjectKey: KeyObject;
  signingKey: KeyObject;
  days: number;
  extensions: Uint8Array[];
}): string {
  const now = Date.now();
  const tbs = der.sequence(
    der.explicit(0, der.integer(2)), // v3
    der.integer(serialNumber()),
    SIGNATURE_ALGORITHM,
    input.issuer,
    der.sequence(der.time(new Date(now - BACKDATE_MS)), der.time(new Date(now + input.days * DAY_MS))),
    input.subject,
    input.subjectKey.export({ type: "spki", format: "der" }),
    der.explicit(3, der.sequence(...input.extensions)),
  );
  const signature = sign("sha256", tbs, { key: input.signingKey, dsaEncoding: "der" });
  return pem("CERTIFICATE", der.sequence(tbs, SIGNATURE_ALGORITHM, der.bitString(signature)));
}

/** 16 random bytes, high bit cleared so the INTEGER is positive, next bit set so it stays 16 bytes. */
function serialNumber(): Uint8Array {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) | 0x40;
  return bytes;
}

function distinguishedName(commonName: string): Uint8Array {
  const attribute = (type: string, value: string) => der.set(der.sequence(der.oid(type), der.utf8String(value)));
  return der.sequence(attribute(OID.organization, "Outpost"), attribute(OID.commonName, commonName));
}

function extension(id: string, critical: boolean, value: Uint8Array): Uint8Array {
  // DER omits a BOOLEAN equal to its DEFAULT (critical DEFAULT FALSE).
  return critical
    ? der.sequence(der.oid(id), der.boolean(true), der.octetString(value))
    : der.sequence(der.oid(id), der.octetString(value));
}

/** A named-bit BIT STRING: DER drops trailing zero bits and counts them as unused. */
function keyUsage(bits: number[]): Uint8Array {
  const highest = Math.max(...bits);
  const bytes = new Uint8Array(Math.floor(highest / 8) + 1);
  for (const bit of bits) bytes[bit >> 3]! |= 0x80 >> (bit & 7);
  return der.bitString(bytes, 7 - (highest & 7));
}

/** RFC 5280 §4.2.1.2 method (1): SHA-1 of the subjectPublicKey bits (the uncompressed EC point). */
function keyIdentifier(publicKey: KeyObject): Uint8Array {
  const jwk = publicKey.export({ format: "jwk" });
  const point = Buffer.concat([Buffer.from([0x04]), Buffer.from(jwk.x!, "base64url"), Buffer.from(jwk.y!, "base64url")]);
  return createHash("sha1").update(point).digest();
}

/** The 4 or 16 network-order bytes of an IP address, for an iPAddress GeneralName. */
export function ipAddressBytes(ip: string): Uint8Array {
  if (isIPv4(ip)) return new Uint8Array(ip.split(".").map(Number));
  if (!isIPv6(ip) || ip.includes("%")) throw new RangeError(`not an IP address: ${JSON.stringify(ip)}`);
  let text = ip;
  // A trailing dotted quad (e.g. ::ffff:192.0.2.1) stands for the last two 16-bit groups.
  const quad = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (quad) {
    const [a, b, c, d] = quad[1]!.split(".").map(Number) as [number, number, number, number];
    text = text.slice(0, quad.index) + ((a << 8) | b).toString(16) + ":" + ((c << 8) | d).toString(16);
  }
  const [head = "", tail] = text.split("::");
  const groups = (part: string) => (part === "" ? [] : part.split(":").map((group) => parseInt(group, 16)));
  const before = groups(head);
  const after = tail === undefined ? [] : groups(tail);
  const all = [...before, ...new Array<number>(8 - before.length - after.length).fill(0), ...after];
  const bytes = new Uint8Array(16);
  all.forEach((group, i) => {
    bytes[i * 2] = group >> 8;
    bytes[i * 2 + 1] = group & 0xff;
  });
  return bytes;
}

function privateKeyPem(key: KeyObject): string {
  return key.export({ type: "pkcs8", format: "pem" }).toString();
}

function pem(label: string, bytes: Uint8Array): string {
  const lines = Buffer.from(bytes).toString("base64").match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}
