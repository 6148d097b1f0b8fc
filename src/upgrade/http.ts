/**
 * @module
 * Fetching from the release base URL through the proxy and the CA that config.yml names
 * for the gateway: a corporate network that needs them for the tunnel needs them for
 * releases too. `gateway.ca` means the same here as for the tunnel and activation: the
 * only CA trusted, in place of the system store (docs/config.md says why).
 */
import { readFileSync } from "node:fs";
import { proxyFor, proxyHost } from "../config/proxy.ts";
import type { ProxySection } from "../config/types.ts";
import { UpgradeError } from "./errors.ts";

export interface HttpOptions {
  /** The `proxy:` section of config.yml; without it `HTTPS_PROXY`/`NO_PROXY` apply. */
  proxy?: ProxySection;
  /** PEM file of the CAs trusted instead of the system store (config's `gateway.ca`). */
  caPath?: string;
}

/** TLS settings for `caPath`: its CAs alone, as for the tunnel. Undefined (the system store) without one. */
export function releaseTls(caPath: string | undefined): { ca: string[] } | undefined {
  return caPath ? { ca: [readFileSync(caPath, "utf8")] } : undefined;
}

/** GET `url`; throws `DOWNLOAD_FAILED` for network errors and non-2xx answers. */
export async function get(url: string, options: HttpOptions): Promise<Response> {
  const init: RequestInit & { proxy?: string; tls?: { ca: string[] } } = { redirect: "follow" };
  const proxy = proxyFor(url, options.proxy);
  if (proxy) init.proxy = proxy;
  const tls = releaseTls(options.caPath);
  if (tls) init.tls = tls;
  let response: Response;
  try {
    response = await fetch(url, init);
  } catch (cause) {
    const message = failure(url, proxy, (cause as Error).message) + (tls && isCertificateError(cause) ? caHint(options.caPath!) : "");
    throw new UpgradeError("DOWNLOAD_FAILED", message, { cause });
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new UpgradeError("DOWNLOAD_FAILED", failure(url, proxy, `HTTP ${response.status}`));
  }
  return response;
}

/**
 * One line for a failed fetch. Through a proxy it names the proxy (host and port only: its
 * URL may carry a password), since Bun's message alone does not say whether the proxy or
 * the release host failed. A refused CONNECT (https) and a 407 (plain http) get a hint.
 */
function failure(url: string, proxy: string | undefined, message: string): string {
  if (!proxy) return `cannot fetch ${url}: ${message}`;
  const status = /^(?:Proxy refused to open a tunnel:\s*(\d{3})|HTTP (407))\b/i.exec(message);
  const code = status?.[1] ?? status?.[2];
  let hint = "";
  if (code === "401" || code === "407") hint = "; check the proxy username and password (config proxy: section or HTTPS_PROXY)";
  else if (code === "403") hint = "; the proxy does not allow a tunnel to that host and port (ask for it, or list the host in no_proxy)";
  return `cannot fetch ${url} through proxy ${proxyHost(proxy)}: ${message}${hint}`;
}

/** Bun's codes for a certificate it could not verify (self-signed, unknown issuer, and so on). */
function isCertificateError(error: unknown): boolean {
  const code = String((error as { code?: unknown }).code ?? "");
  return /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/.test(code);
}

function caHint(caPath: string): string {
  return `; gateway.ca (${caPath}) is the only CA trusted, as for the tunnel: serve releases from a mirror that CA signs (--base-url or OUTPOST_RELEASE_BASE), or add the public roots to that file (the tunnel then trusts them too)`;
}

/** Largest small file read whole (latest.json, a manifest, a signature): 1 MiB. */
export const MAX_SMALL_FILE = 1024 * 1024;

/**
 * GET `url` as bytes, for small files only: a release host (or a mirror named in a
 * rollout) that answers with more than `limit` bytes is refused before it fills memory.
 */
export async function getBytes(url: string, options: HttpOptions, limit = MAX_SMALL_FILE): Promise<Uint8Array> {
  const response = await get(url, options);
  const reader = response.body!.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limit) {
        await reader.cancel().catch(() => {});
        throw new UpgradeError("BAD_MANIFEST", `${url} is larger than ${limit} bytes; it is not a release file`);
      }
      chunks.push(value);
    }
  } catch (cause) {
    if (cause instanceof UpgradeError) throw cause;
    throw new UpgradeError("DOWNLOAD_FAILED", `download of ${url} broke off: ${(cause as Error).message}`, { cause });
  }
  return new Uint8Array(Buffer.concat(chunks));
}
