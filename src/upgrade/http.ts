/**
 * @module
 * Fetching from the release base URL through the proxy and the extra CA that config.yml
 * names for the gateway: a corporate network that needs them for the tunnel needs them
 * for releases too.
 */
import { readFileSync } from "node:fs";
import { rootCertificates } from "node:tls";
import { proxyFor } from "../config/proxy.ts";
import type { ProxySection } from "../config/types.ts";
import { UpgradeError } from "./errors.ts";

export interface HttpOptions {
  /** The `proxy:` section of config.yml; without it `HTTPS_PROXY`/`NO_PROXY` apply. */
  proxy?: ProxySection;
  /** PEM file of an extra CA trusted besides the system store (config's `gateway.ca`). */
  caPath?: string;
}

/** GET `url`; throws `DOWNLOAD_FAILED` for network errors and non-2xx answers. */
export async function get(url: string, options: HttpOptions): Promise<Response> {
  const init: RequestInit & { proxy?: string; tls?: { ca: string[] } } = { redirect: "follow" };
  const proxy = proxyFor(url, options.proxy);
  if (proxy) init.proxy = proxy;
  // `ca` replaces the default roots, so the system store goes in alongside the extra CA.
  if (options.caPath) init.tls = { ca: [...rootCertificates, readFileSync(options.caPath, "utf8")] };
  let response: Response;
  try {
    response = await fetch(url, init);
  } catch (cause) {
    throw new UpgradeError("DOWNLOAD_FAILED", `cannot fetch ${url}: ${(cause as Error).message}`, { cause });
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new UpgradeError("DOWNLOAD_FAILED", `cannot fetch ${url}: HTTP ${response.status}`);
  }
  return response;
}

/** GET `url` as bytes (small files only: latest.json, the manifest, its signature). */
export async function getBytes(url: string, options: HttpOptions): Promise<Uint8Array> {
  const response = await get(url, options);
  try {
    return new Uint8Array(await response.arrayBuffer());
  } catch (cause) {
    throw new UpgradeError("DOWNLOAD_FAILED", `download of ${url} broke off: ${(cause as Error).message}`, { cause });
  }
}
