/**
 * @module
 * Names the cause when the gateway's WebSocket upgrade is answered with something other
 * than 101. Bun only says "Expected 101 status code: 400"; the usual cause is a
 * TLS-inspecting proxy (squid ssl-bump) or a reverse proxy that drops the `Upgrade` header,
 * so the gateway sees a plain GET and answers 400. After such a failure the agent asks once
 * more the same way (same proxy, same CA) with a plain request and reads who answered:
 * the gateway (its JSON error and `x-request-id`) or something else (its status and
 * `Server` header), and says what to change.
 */
import { proxyHost } from "../config/proxy.ts";
import { AGENT_CONNECT_PATH } from "../protocol/index.ts";

const NOT_101 = /Expected 101 status code(?::\s*(\d{3}))?/i;
const SQUID_HINT = "for squid with ssl-bump, add `http_upgrade_request_protocols websocket allow all` (docs/install.md, \"Proxies and TLS trust\")";

export interface UpgradeDiagnoseOptions {
  /** Proxy URL (credentials allowed) the failed dial used. */
  proxy?: string;
  /** PEM bundle the failed dial trusted. */
  ca?: string;
  insecureSkipVerify?: boolean;
  /** Gives up after this long. Defaults to 5 s. */
  timeoutMs?: number;
}

/** Whether the dial failed because the upgrade was answered with another status than 101. */
export function isUpgradeFailure(message: string): boolean {
  return NOT_101.test(message);
}

/** One line naming who answered the upgrade of `target` (`wss://host:port`), and with what; `message` is the dial's error. */
export async function describeUpgradeFailure(target: string, message: string, options: UpgradeDiagnoseOptions = {}): Promise<string> {
  const url = new URL(AGENT_CONNECT_PATH, target.replace(/^ws/, "http"));
  const via = options.proxy ? ` through proxy ${proxyHost(options.proxy)}` : "";
  const dialStatus = NOT_101.exec(message)?.[1];
  let answer: Answer | undefined;
  try {
    answer = await probe(url, options);
  } catch {
    // Unreachable now: fall back to what the dial itself saw.
  }
  if (!answer) {
    return `the WebSocket upgrade to ${url.host}${via} was answered with HTTP ${dialStatus ?? "other than 101"}, not 101; ` +
      `a proxy on the way may not pass WebSocket upgrades; ${SQUID_HINT}`;
  }
  const { status, gatewayError, server } = answer;
  if (gatewayError && status === 400) {
    return `the gateway at ${url.host}${via} answered HTTP 400 instead of switching to WebSocket (${gatewayError}): the request reached it without ` +
      `its Upgrade header, so something between this agent and the gateway removes it (a TLS-inspecting proxy, or a reverse proxy in front of the gateway); ${SQUID_HINT}`;
  }
  if (gatewayError) return `the gateway at ${url.host}${via} refused the WebSocket upgrade with HTTP ${status}: ${gatewayError}`;
  const who = options.proxy ? `the proxy ${proxyHost(options.proxy)} (or a server behind it)` : `the server at ${url.host}`;
  return `${who} answered the WebSocket upgrade with HTTP ${status}${server ? ` (Server: ${server})` : ""}, not 101, and it is not the Outpost gateway; ` +
    `if it is a proxy, let WebSocket upgrades to ${url.host} through; ${SQUID_HINT}`;
}

interface Answer {
  status: number;
  /** `CODE: message` when the gateway itself answered (its JSON error body and `x-request-id`). */
  gatewayError?: string;
  server?: string;
}

async function probe(url: URL, options: UpgradeDiagnoseOptions): Promise<Answer> {
  const response = await fetch(url, {
    proxy: options.proxy,
    tls: { ca: options.ca, rejectUnauthorized: !options.insecureSkipVerify },
    signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
    redirect: "manual",
  });
  const text = (await response.text()).slice(0, 4096);
  const server = response.headers.get("server")?.slice(0, 80) ?? undefined;
  return { status: response.status, gatewayError: response.headers.has("x-request-id") ? gatewayErrorOf(text) : undefined, server };
}

function gatewayErrorOf(text: string): string | undefined {
  try {
    const error = (JSON.parse(text) as { error?: { code?: unknown; message?: unknown } }).error;
    if (typeof error?.code !== "string" || typeof error.message !== "string") return undefined;
    return `${error.code}: ${error.message.slice(0, 200)}`;
  } catch {
    return undefined;
  }
}
