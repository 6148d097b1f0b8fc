/**
 * @module
 * Which HTTP(S) proxy the agent's outbound connections (tunnel, activate, upgrade) go
 * through: the `proxy:` section of config.yml, else `HTTPS_PROXY` / `https_proxy` /
 * `ALL_PROXY` from the environment; `no_proxy` (or `NO_PROXY`) lists hosts reached
 * directly (`example.com` also covers its subdomains, `*` covers everything).
 */
import type { ProxySection } from "./types.ts";

/** The proxy URL (credentials included) for `target`, or undefined for a direct connection. */
export function proxyFor(target: string | URL, section: ProxySection | undefined, env: Record<string, string | undefined> = process.env): string | undefined {
  const host = new URL(target).hostname.replace(/^\[|\]$/g, "").toLowerCase();
  const configured = section ? fromSection(section) : undefined;
  const url = configured ?? env.HTTPS_PROXY ?? env.https_proxy ?? env.ALL_PROXY ?? env.all_proxy;
  if (!url) return undefined;
  const bypass = section?.no_proxy ?? splitList(env.NO_PROXY ?? env.no_proxy);
  return bypasses(host, bypass) ? undefined : url;
}

/** The proxy's `host:port` for messages: its URL may carry a password, which must never be shown. */
export function proxyHost(proxy: string): string {
  try {
    return new URL(proxy).host;
  } catch {
    return "(unparsable proxy URL)";
  }
}

function fromSection(section: ProxySection): string | undefined {
  let url: URL;
  if (section.url) url = new URL(section.url);
  else if (section.host) url = new URL(`http://${section.host}:${section.port ?? 3128}`);
  else return undefined;
  if (section.username !== undefined) url.username = encodeURIComponent(section.username);
  if (section.password !== undefined) url.password = encodeURIComponent(section.password);
  return url.href.replace(/\/$/, "");
}

function splitList(value: string | undefined): string[] {
  return (value ?? "").split(",").map((item) => item.trim()).filter(Boolean);
}

function bypasses(host: string, list: string[]): boolean {
  return list.some((entry) => {
    const pattern = entry.toLowerCase().replace(/:\d+$/, "").replace(/^\*?\./, "");
    return pattern === "*" || host === pattern || host.endsWith(`.${pattern}`);
  });
}
