/**
 * @module
 * Whether the gateway's certificate chains to a CA of the system store. If not (a private
 * or self-signed CA), agents must be told `--ca` at activation: `gateway.ca` then replaces
 * the system store on their side (docs/config.md). Decided once at `gateway serve` and
 * kept as a store setting, so the activation command is right whichever process prints it
 * (the server's admin API, the console, or the CLI on the local store).
 */
import { X509Certificate } from "node:crypto";
import { rootCertificates } from "node:tls";

/** Store setting: `true` when the serving certificate is not issued by a public CA. */
export const PRIVATE_CA_SETTING = "privateCa";

/** Where the printed activation command tells the agent's operator to put the gateway's CA. */
export const CA_FILE_HINT = "gateway-ca.pem";

/** True when the last certificate of `chainPem` is, or is signed by, one of the system store's roots. */
export function issuedByPublicCa(chainPem: string): boolean {
  const blocks = chainPem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  const top = blocks.at(-1);
  if (!top) return false;
  const cert = new X509Certificate(top);
  return rootCertificates.some((pem) => {
    const root = new X509Certificate(pem);
    return root.fingerprint256 === cert.fingerprint256 || (cert.checkIssued(root) && cert.verify(root.publicKey));
  });
}
