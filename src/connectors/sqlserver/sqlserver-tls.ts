/**
 * @module
 * TLS for SQL Server. `ssl.mode` becomes tedious's `encrypt` and `trustServerCertificate`;
 * the default is `verify-full`, as SQL Server drivers default to encrypting.
 *
 * Bun refuses an IP address as TLS server name ("Setting the TLS ServerName to an IP
 * address is not permitted"), and tedious passes the host it dialled as the server name,
 * so `host: 10.0.0.5` with encryption would never connect. `installIpServerNameFix`
 * wraps `tls.connect` once, before tedious is loaded: when a call names an IP as
 * `servername`, the name is dropped (SNI may not carry an IP anyway, RFC 6066) and
 * `checkServerIdentity` still checks the certificate against that IP, so verification stays
 * on. Calls without an IP server name are passed through untouched.
 */
import { isIP } from "node:net";
import tls from "node:tls";
import type { DatabaseProfile } from "../../config/types.ts";
import { readPem } from "../pem.ts";

let installed = false;

/** Wraps `tls.connect` (see the module comment); call before `import("tedious")`, which copies the function when it loads. */
export function installIpServerNameFix(): void {
  if (installed) return;
  installed = true;
  const original = tls.connect;
  const wrapped = function (this: unknown, ...args: unknown[]) {
    const options = args[0];
    if (options && typeof options === "object" && typeof (options as tls.ConnectionOptions).servername === "string") {
      const { servername, ...rest } = options as tls.ConnectionOptions;
      if (isIP(servername!)) {
        const check = rest.checkServerIdentity ?? tls.checkServerIdentity;
        args[0] = { ...rest, checkServerIdentity: (_host: string, cert: tls.PeerCertificate) => check(servername!, cert) };
      }
    }
    return (original as (...a: unknown[]) => tls.TLSSocket).apply(this, args);
  };
  tls.connect = wrapped as typeof tls.connect;
}

export interface TediousTlsOptions {
  encrypt: boolean;
  trustServerCertificate: boolean;
  cryptoCredentialsDetails?: tls.SecureContextOptions;
}

/**
 * tedious options for `ssl.mode` (default `verify-full`): `disable` → no encryption (the
 * login packet is still encrypted if the server insists); `require` → encrypted, any
 * certificate; `verify-ca` and `verify-full` → encrypted, the chain checked against
 * `ssl.ca` (or the system store) and the host name checked too — tedious offers no way to
 * skip only the name check, so `verify-ca` is as strict as `verify-full` here.
 */
export function sqlServerTls(profile: DatabaseProfile): TediousTlsOptions {
  const ssl = profile.ssl;
  const mode = ssl?.mode ?? "verify-full";
  if (mode === "disable") return { encrypt: false, trustServerCertificate: false };
  const files: tls.SecureContextOptions = {};
  if (ssl?.ca) files.ca = readPem(ssl.ca, "ca");
  if (ssl?.cert) files.cert = readPem(ssl.cert, "cert");
  if (ssl?.key) files.key = readPem(ssl.key, "key");
  return { encrypt: true, trustServerCertificate: mode === "require", cryptoCredentialsDetails: files };
}
