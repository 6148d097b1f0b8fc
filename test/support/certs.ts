/**
 * @module
 * Test certificates made at test time with the system's `openssl`: a throwaway CA and
 * leaf certificates it signs for loopback names. Nothing is committed; each call writes
 * into a fresh temp folder that the OS cleans up.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface TestCa {
  dir: string;
  /** Paths of the CA's PEM certificate and key. */
  certPath: string;
  keyPath: string;
  certPem: string;
  /** Issues a leaf certificate for the given DNS names and IPs. */
  issue(name: string, options?: { dns?: string[]; ips?: string[]; days?: number; clientAuth?: boolean }): TestCert;
}

export interface TestCert {
  certPath: string;
  keyPath: string;
  certPem: string;
  keyPem: string;
}

function openssl(args: string[], cwd: string) {
  const result = Bun.spawnSync(["openssl", ...args], { cwd, stderr: "pipe", stdout: "pipe" });
  if (result.exitCode !== 0) throw new Error(`openssl ${args[0]} failed: ${result.stderr.toString()}`);
}

/** Creates a CA named `commonName` in a new temp folder. */
export function createTestCa(commonName = "Outpost Test CA"): TestCa {
  const dir = mkdtempSync(join(tmpdir(), "outpost-ca-"));
  const certPath = join(dir, "ca.pem");
  const keyPath = join(dir, "ca.key");
  openssl(
    ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
     "-subj", `/CN=${commonName}`, "-keyout", keyPath, "-out", certPath,
     "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"],
    dir,
  );
  const certPem = readFileSync(certPath, "utf8");
  return {
    dir,
    certPath,
    keyPath,
    certPem,
    issue(name, options = {}) {
      const dns = options.dns ?? ["localhost"];
      const ips = options.ips ?? ["127.0.0.1", "::1"];
      const leafKey = join(dir, `${name}.key`);
      const leafCsr = join(dir, `${name}.csr`);
      const leafCert = join(dir, `${name}.pem`);
      const ext = join(dir, `${name}.ext`);
      const san = [...dns.map((d) => `DNS:${d}`), ...ips.map((ip) => `IP:${ip}`)].join(",");
      writeFileSync(
        ext,
        `basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\n` +
          `extendedKeyUsage=${options.clientAuth ? "clientAuth" : "serverAuth,clientAuth"}\nsubjectAltName=${san}\n`,
      );
      openssl(["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-subj", `/CN=${name}`, "-keyout", leafKey, "-out", leafCsr], dir);
      openssl(["x509", "-req", "-in", leafCsr, "-CA", certPath, "-CAkey", keyPath, "-CAcreateserial",
        "-days", String(options.days ?? 2), "-extfile", ext, "-out", leafCert], dir);
      return { certPath: leafCert, keyPath: leafKey, certPem: readFileSync(leafCert, "utf8"), keyPem: readFileSync(leafKey, "utf8") };
    },
  };
}
