import { afterAll, describe, expect, test } from "bun:test";
import { createHash, createPrivateKey, X509Certificate } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { networkInterfaces, tmpdir } from "node:os";
import { join } from "node:path";
import * as der from "../../src/crypto/der.ts";
import { createCertificateAuthority, ipAddressBytes } from "../../src/crypto/x509.ts";

const dir = mkdtempSync(join(tmpdir(), "outpost-x509-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const before = Date.now();
const ca = createCertificateAuthority({ commonName: "Outpost Dev CA" });
const leaf = ca.issue({ commonName: "outpost-dev" });
const after = Date.now();
writeFileSync(join(dir, "ca.pem"), ca.certPem);
writeFileSync(join(dir, "leaf.pem"), leaf.certPem);

/** The CI machines have an IPv6 loopback today; a machine without one cannot test `[::1]`. */
const hasIpv6Loopback = Object.values(networkInterfaces()).flat().some((a) => a?.internal && a.address === "::1");

function openssl(...args: string[]): string {
  const result = Bun.spawnSync(["openssl", ...args], { cwd: dir, stdout: "pipe", stderr: "pipe" });
  expect(result.stderr.toString()).toBe("");
  expect(result.exitCode).toBe(0);
  return result.stdout.toString();
}

describe("openssl reads what we write", () => {
  test("the CA is a self-signed v3 CA with critical constraints and key usage", () => {
    const text = openssl("x509", "-noout", "-text", "-in", "ca.pem");
    expect(text).toContain("Version: 3 (0x2)");
    expect(text).toContain("Signature Algorithm: ecdsa-with-SHA256");
    expect(text).toContain("Issuer: O = Outpost, CN = Outpost Dev CA");
    expect(text).toContain("Subject: O = Outpost, CN = Outpost Dev CA");
    expect(text).toContain("NIST CURVE: P-256");
    expect(text).toMatch(/Basic Constraints: critical\s+CA:TRUE/);
    expect(text).toMatch(/Key Usage: critical\s+Certificate Sign, CRL Sign/);
    expect(text).toContain("Subject Key Identifier");
    expect(openssl("verify", "-x509_strict", "-CAfile", "ca.pem", "ca.pem")).toBe("ca.pem: OK\n");
  });

  test("the leaf has the default names, server and client EKU, and key identifiers", () => {
    const text = openssl("x509", "-noout", "-text", "-in", "leaf.pem");
    expect(text).toContain("Issuer: O = Outpost, CN = Outpost Dev CA");
    expect(text).toContain("Subject: O = Outpost, CN = outpost-dev");
    expect(text).toContain("DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1");
    expect(text).toMatch(/Basic Constraints: \s+CA:FALSE/);
    expect(text).toMatch(/Key Usage: critical\s+Digital Signature\n/);
    expect(text).toContain("TLS Web Server Authentication, TLS Web Client Authentication");
    const caKeyId = keyIdOf(ca.certPem);
    expect(text).toMatch(new RegExp(`Subject Key Identifier: \\s+${keyIdOf(leaf.certPem)}`));
    expect(text).toMatch(new RegExp(`Authority Key Identifier: \\s+${caKeyId}`));
  });

  test("openssl verifies the leaf against the CA, as a TLS server for its names", () => {
    expect(openssl("verify", "-CAfile", "ca.pem", "leaf.pem")).toBe("leaf.pem: OK\n");
    expect(openssl("verify", "-x509_strict", "-purpose", "sslserver", "-verify_hostname", "localhost",
      "-CAfile", "ca.pem", "leaf.pem")).toBe("leaf.pem: OK\n");
    expect(openssl("verify", "-purpose", "sslclient", "-verify_ip", "::1", "-CAfile", "ca.pem", "leaf.pem"))
      .toBe("leaf.pem: OK\n");
  });

  test("a validity past 2049 is written as GeneralizedTime and still parses", () => {
    const longCa = createCertificateAuthority({ commonName: "Long", days: 365 * 40 });
    const notAfter = new Date(new X509Certificate(longCa.certPem).validTo);
    expect(notAfter.getUTCFullYear()).toBeGreaterThanOrEqual(2050);
    writeFileSync(join(dir, "long.pem"), longCa.certPem);
    expect(openssl("verify", "-x509_strict", "-CAfile", "long.pem", "long.pem")).toBe("long.pem: OK\n");
  });
});

describe("certificate contents", () => {
  test("validity starts an hour back and lasts the requested days (defaults 3650 and 825)", () => {
    const hour = 3600_000;
    const day = 24 * hour;
    const second = 1000; // the encoding drops milliseconds
    for (const [pem, days] of [[ca.certPem, 3650], [leaf.certPem, 825]] as const) {
      const cert = new X509Certificate(pem);
      const from = Date.parse(cert.validFrom);
      expect(from).toBeGreaterThanOrEqual(before - hour - second);
      expect(from).toBeLessThanOrEqual(after - hour);
      expect(Date.parse(cert.validTo) - from).toBe(days * day + hour);
    }
    const short = new X509Certificate(ca.issue({ commonName: "short", days: 2 }).certPem);
    expect(Date.parse(short.validTo) - Date.parse(short.validFrom)).toBe(2 * day + hour);
  });

  test("keys are PKCS#8 P-256 and match their certificates", () => {
    for (const pair of [ca, leaf]) {
      expect(pair.keyPem.startsWith("-----BEGIN PRIVATE KEY-----\n")).toBe(true);
      const key = createPrivateKey(pair.keyPem);
      expect(key.asymmetricKeyDetails?.namedCurve).toBe("prime256v1");
      expect(new X509Certificate(pair.certPem).checkPrivateKey(key)).toBe(true);
    }
    expect(new X509Certificate(leaf.certPem).checkIssued(new X509Certificate(ca.certPem))).toBe(true);
  });

  test("serials are positive 16-byte random numbers; each CA has its own key", () => {
    const other = createCertificateAuthority({ commonName: "Outpost Dev CA" });
    const serials = [ca, other, leaf].map((pair) => new X509Certificate(pair.certPem).serialNumber);
    for (const serial of serials) expect(serial).toMatch(/^[4-7][0-9A-F]{31}$/);
    expect(new Set(serials).size).toBe(3);
    expect(other.keyPem).not.toBe(ca.keyPem);
    expect(keyIdOf(other.certPem)).not.toBe(keyIdOf(ca.certPem));
  });

  test("IP addresses become 4 or 16 network-order bytes", () => {
    const hex = (ip: string) => Buffer.from(ipAddressBytes(ip)).toString("hex");
    expect(hex("192.0.2.1")).toBe("c0000201");
    expect(hex("::1")).toBe("00000000000000000000000000000001");
    expect(hex("::")).toBe("0".repeat(32));
    expect(hex("fe80::")).toBe("fe80" + "0".repeat(28));
    expect(hex("2001:db8::8:800:200c:417a")).toBe("20010db80000000000080800200c417a");
    expect(hex("1:2:3:4:5:6:7:8")).toBe("00010002000300040005000600070008");
    expect(hex("::ffff:192.0.2.1")).toBe("00000000000000000000ffffc0000201");
    for (const bad of ["localhost", "1.2.3", "1::2::3", "fe80::1%lo", "256.0.0.1"]) {
      expect(() => ipAddressBytes(bad)).toThrow(RangeError);
    }
  });

  test("DER times switch from UTCTime to GeneralizedTime at 2050", () => {
    const text = (bytes: Uint8Array) => [bytes[0], Buffer.from(bytes.subarray(2)).toString()];
    expect(text(der.time(new Date("2049-12-31T23:59:59.999Z")))).toEqual([0x17, "491231235959Z"]);
    expect(text(der.time(new Date("2050-01-01T00:00:00Z")))).toEqual([0x18, "20500101000000Z"]);
    expect(text(der.time(new Date("1999-07-04T01:02:03Z")))).toEqual([0x17, "990704010203Z"]);
  });
});

describe("TLS with the issued leaf", () => {
  function serve() {
    return Bun.serve({
      hostname: "::", // dual stack: one server answers on 127.0.0.1 and ::1
      port: 0,
      tls: { cert: leaf.certPem, key: leaf.keyPem },
      fetch(request, server) {
        if (server.upgrade(request)) return undefined;
        return new Response("hello over tls");
      },
      websocket: {
        message(ws, message) {
          ws.send(`echo ${message}`);
        },
      },
    });
  }

  test("fetch trusts it by localhost and 127.0.0.1 with the CA", async () => {
    await using server = serve();
    for (const host of ["localhost", "127.0.0.1"]) {
      const response = await fetch(`https://${host}:${server.port}/`, { tls: { ca: ca.certPem } });
      expect(await response.text()).toBe("hello over tls");
    }
  });

  // Skipped only on a machine without an IPv6 loopback (this project's machines have one).
  test.skipIf(!hasIpv6Loopback)("fetch trusts it by [::1] with the CA", async () => {
    await using server = serve();
    const response = await fetch(`https://[::1]:${server.port}/`, { tls: { ca: ca.certPem } });
    expect(await response.text()).toBe("hello over tls");
  });

  test("fetch refuses it without the CA, and for a name it does not carry", async () => {
    await using server = serve();
    const withoutCa = await fetch(`https://localhost:${server.port}/`).catch((error: unknown) => error);
    expect(withoutCa).toMatchObject({ code: "UNABLE_TO_VERIFY_LEAF_SIGNATURE" });
    const wrongName = await fetch(`https://127.0.0.2:${server.port}/`, { tls: { ca: ca.certPem } })
      .catch((error: unknown) => error);
    expect(wrongName).toMatchObject({ code: "ERR_TLS_CERT_ALTNAME_INVALID" });
  });

  test("a native WebSocket client with the CA connects and talks", async () => {
    await using server = serve();
    const socket = new WebSocket(`wss://localhost:${server.port}/`, { tls: { ca: ca.certPem } });
    const reply = await new Promise<string>((resolve, reject) => {
      socket.addEventListener("open", () => socket.send("ping"));
      socket.addEventListener("message", (event) => resolve(String(event.data)));
      socket.addEventListener("error", () => reject(new Error("websocket failed")));
    });
    socket.close();
    expect(reply).toBe("echo ping");
  });
});

/** The SHA-1 of the certificate's EC point, in openssl's colon-separated form. */
function keyIdOf(certPem: string): string {
  const spki = new X509Certificate(certPem).publicKey.export({ type: "spki", format: "der" });
  const digest = createHash("sha1").update(spki.subarray(spki.length - 65)).digest("hex").toUpperCase();
  return digest.match(/../g)!.join(":");
}
