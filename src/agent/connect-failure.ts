/**
 * @module
 * Turns a failed dial into one line an operator can act on. Bun reports a proxy's refusal
 * as "Proxy connection failed: 407 …" (WebSocket) or "Proxy refused to open a tunnel: 407 …"
 * (fetch), and a certificate problem as "TLS handshake failed: …" without naming the
 * certificate; these helpers recognise both so the supervisor and `activate` can say what
 * to fix instead of repeating the raw error on every retry.
 */

const PROXY_REFUSAL = /Proxy (?:connection failed|refused to open a tunnel):\s*(\d{3})\s*(.*)$/i;
const CERTIFICATE_FAILURE = /certificate|TLS handshake failed|self[- ]signed|unable to verify|issuer|CERT_|ALTNAME/i;

/**
 * One line for a proxy that answered the CONNECT with an error status, or undefined when
 * `message` is not such a refusal. `target` is the `host:port` the tunnel was asked for.
 */
export function describeProxyRefusal(message: string, target: string): string | undefined {
  const match = PROXY_REFUSAL.exec(message);
  if (!match) return undefined;
  const status = Number(match[1]);
  const answer = `${status} ${match[2]!.trim()}`.trim();
  if (status === 401 || status === 407) return `proxy refused: ${answer}; check the proxy username and password (config proxy: section or HTTPS_PROXY)`;
  if (status === 403) return `proxy refused: ${answer}; the proxy does not allow a tunnel to ${target} (ask for CONNECT to that port, or list the host in no_proxy)`;
  return `proxy refused: ${answer} for a tunnel to ${target}`;
}

/** Whether the dial failed on the peer's certificate (untrusted issuer, expiry, name). */
export function isCertificateFailure(message: string): boolean {
  return CERTIFICATE_FAILURE.test(message);
}
