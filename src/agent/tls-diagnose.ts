/**
 * @module
 * Names the certificate the agent was shown when a TLS dial fails. Bun's WebSocket error
 * only says "unable to verify the first certificate"; the usual cause on corporate networks
 * is a TLS-inspecting proxy that re-signs every connection with its own CA. So after such a
 * failure we dial once more the same way (through the same CONNECT proxy), accept whatever
 * certificate comes back without trusting it, and describe its issuer, expiry or names.
 * Nothing is sent over that connection; it is closed right after the handshake.
 */
import { connect as netConnect, type Socket } from "node:net";
import { checkServerIdentity, connect as tlsConnect, type PeerCertificate, type TLSSocket } from "node:tls";
import { proxyHost } from "../config/proxy.ts";
import { describeProxyRefusal, isCertificateFailure } from "./connect-failure.ts";

export interface TlsDiagnoseOptions {
  /** `http://` or `https://` proxy URL (credentials allowed), as used by the failed dial. */
  proxy?: string;
  /** PEM bundle the failed dial trusted instead of the system store. */
  ca?: string;
  /** Gives up after this long. Defaults to 5 s. */
  timeoutMs?: number;
}

/**
 * One line saying why `target` (`wss://` or `https://`) is not trusted, or undefined when
 * the certificate checks out now or the host cannot be reached at all.
 */
export async function describeTlsFailure(target: string, options: TlsDiagnoseOptions = {}): Promise<string | undefined> {
  const url = new URL(target);
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const port = Number(url.port || 443);
  const signal = AbortSignal.timeout(options.timeoutMs ?? 5000);
  let socket: TLSSocket | undefined;
  try {
    const raw = options.proxy ? await tunnelThrough(options.proxy, `${host}:${port}`, options.ca, signal) : await dial(host, port, signal);
    socket = await handshake(raw, { servername: isIp(host) ? undefined : host, ca: options.ca }, signal);
    const peer = socket.getPeerCertificate();
    const via = options.proxy ? ` (through proxy ${proxyHost(options.proxy)}; a TLS-inspecting proxy re-signs connections with its own CA)` : "";
    if (!socket.authorized) return explainUnauthorized(String(socket.authorizationError), peer, via);
    const mismatch = checkServerIdentity(host, peer);
    if (mismatch) return `the gateway's certificate (${distinguishedName(peer.subject)}) is not valid for ${host}: ${mismatch.message}`;
    return undefined;
  } catch {
    return undefined;
  } finally {
    socket?.destroy();
  }
}

function explainUnauthorized(code: string, peer: PeerCertificate, via: string): string {
  const subject = distinguishedName(peer.subject);
  if (code === "CERT_HAS_EXPIRED") return `the gateway's certificate (${subject}) expired on ${peer.valid_to}`;
  if (code === "CERT_NOT_YET_VALID") return `the gateway's certificate (${subject}) is not valid before ${peer.valid_from}; check this host's clock`;
  return `the gateway's certificate was issued by '${distinguishedName(peer.issuer)}', which is not trusted${via}; add that CA to gateway.ca (a PEM file; it may hold several CAs)`;
}

/** `CN=…, O=…` in the usual most-specific-first order. */
export function distinguishedName(name: object | undefined): string {
  if (!name) return "unknown";
  const order = ["CN", "OU", "O", "L", "ST", "C"];
  const fields = name as Record<string, string | string[]>;
  const keys = Object.keys(fields).sort((a, b) => rank(order, a) - rank(order, b));
  return keys.map((key) => `${key}=${([] as string[]).concat(fields[key]!).join("+")}`).join(", ") || "unknown";
}

function rank(order: string[], key: string): number {
  const index = order.indexOf(key);
  return index === -1 ? order.length : index;
}

function isIp(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(":");
}

function dial(host: string, port: number, signal: AbortSignal): Promise<Socket> {
  return settle(netConnect({ host, port }), "connect", signal);
}

/** Opens a CONNECT tunnel to `target` through an `http://` or `https://` proxy. */
async function tunnelThrough(proxy: string, target: string, ca: string | undefined, signal: AbortSignal): Promise<Socket> {
  const url = new URL(proxy);
  const port = Number(url.port || (url.protocol === "https:" ? 443 : 80));
  const socket = url.protocol === "https:"
    ? await handshake(await dial(url.hostname, port, signal), { servername: isIp(url.hostname) ? undefined : url.hostname, ca, verify: true }, signal)
    : await dial(url.hostname, port, signal);
  const auth = url.username ? `Proxy-Authorization: Basic ${btoa(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`)}\r\n` : "";
  socket.write(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n${auth}\r\n`);
  const head = await readHead(socket, signal);
  if (!/^HTTP\/1\.[01] 2\d\d/.test(head)) throw new Error(`proxy answered ${head.split("\r\n")[0]}`);
  return socket;
}

function handshake(socket: Socket, options: { servername?: string; ca?: string; verify?: boolean }, signal: AbortSignal): Promise<TLSSocket> {
  const secure = tlsConnect({ socket, servername: options.servername, ca: options.ca, rejectUnauthorized: options.verify ?? false });
  return settle(secure, "secureConnect", signal);
}

function settle<T extends Socket>(socket: T, event: string, signal: AbortSignal): Promise<T> {
  return new Promise((resolve, reject) => {
    const fail = (error: unknown) => {
      socket.destroy();
      reject(error);
    };
    if (signal.aborted) return fail(signal.reason);
    signal.addEventListener("abort", () => fail(signal.reason), { once: true });
    socket.once("error", fail);
    socket.once(event, () => {
      socket.off("error", fail);
      resolve(socket);
    });
  });
}

/** Reads the proxy's answer up to the blank line; the tunnel starts right after it. */
function readHead(socket: Socket, signal: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = "";
    const onData = (chunk: Buffer) => {
      text += chunk.toString("latin1");
      if (!text.includes("\r\n\r\n")) return;
      socket.off("data", onData);
      socket.pause();
      resolve(text.slice(0, text.indexOf("\r\n\r\n")));
    };
    socket.on("data", onData);
    socket.once("error", reject);
    signal.addEventListener("abort", () => reject(signal.reason), { once: true });
  });
}

/**
 * The one-line error for an HTTPS call to the gateway that could not be made (activate,
 * keys rotate): a proxy's refusal, an untrusted certificate named by its issuer, or the
 * raw reason.
 */
export async function gatewayUnreachable(
  error: unknown,
  endpoint: URL,
  options: { proxy?: string; ca?: string; insecureSkipVerify?: boolean },
): Promise<Error> {
  const message = (error as Error).message;
  const explained = describeProxyRefusal(message, endpoint.host) ??
    (!options.insecureSkipVerify && isCertificateFailure(message) ? await describeTlsFailure(endpoint.href, { proxy: options.proxy, ca: options.ca }) : undefined);
  return new Error(explained ?? `cannot reach the gateway at ${endpoint.host}: ${message}`, { cause: error });
}
