/**
 * @module
 * Whether the gateway can be reached the way the agent will reach it: an HTTPS request to
 * its `/healthz` through the configured proxy, trusting what `gateway.ca` (or the system
 * store) trusts, and the clock skew read from the answer's `Date` header. A proxy refusal or
 * an untrusted certificate is named as `activate` names it (`tls-diagnose.ts`).
 */
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { LoadedConfig } from "../../config/load.ts";
import { proxyFor, proxyHost } from "../../config/proxy.ts";
import { gatewayUnreachable } from "../tls-diagnose.ts";
import type { CheckResult } from "./check.ts";

/** Skew past which deadlines look odd in logs (the supervisor warns at the same point). */
const SKEW_WARN_MS = 5_000;
/** Skew past which certificates and activation codes may look expired or not yet valid. */
const SKEW_FAIL_MS = 300_000;

export interface GatewayCheckOptions {
  /** Seconds for the whole request. Defaults to 5. */
  timeoutSeconds?: number;
  env?: Record<string, string | undefined>;
  /** This host's clock, for the skew. Defaults to `Date.now`. */
  now?: () => number;
}

/** The reachability line and, when the gateway answered, the clock line. */
export async function checkGateway(loaded: LoadedConfig, options: GatewayCheckOptions = {}): Promise<CheckResult[]> {
  const gateway = loaded.config.gateway;
  if (!gateway?.url) {
    return [{ kind: "gateway", subject: "gateway.url", verdict: "fail", detail: "config.yml names no gateway", hint: "run `outpost activate CODE --gateway URL` (it writes the gateway: section)" }];
  }
  let endpoint: URL;
  try {
    endpoint = new URL("/healthz", gateway.url.replace(/^ws/, "http"));
  } catch {
    return [{ kind: "gateway", subject: "gateway.url", verdict: "fail", detail: "not a URL", hint: "gateway.url is wss://host:port" }];
  }
  const proxy = proxyFor(endpoint, loaded.config.proxy, options.env);
  const via = proxy ? ` through proxy ${proxyHost(proxy)}` : "";
  const subject = endpoint.href;
  let ca: string | undefined;
  try {
    ca = gateway.ca ? readFileSync(resolve(dirname(loaded.path), gateway.ca), "utf8") : undefined;
  } catch {
    return [{ kind: "gateway", subject, verdict: "fail", detail: "gateway.ca cannot be read, so the gateway cannot be trusted", hint: "see the file line for gateway.ca above" }];
  }
  const now = options.now ?? Date.now;
  const sentAt = now();
  let response: Response;
  try {
    response = await fetch(endpoint, {
      tls: { ca, rejectUnauthorized: !gateway.insecure_skip_verify },
      proxy,
      signal: AbortSignal.timeout((options.timeoutSeconds ?? 5) * 1000),
    });
    await response.body?.cancel();
  } catch (error) {
    const reason = (error as Error).name === "TimeoutError" ? new Error(`no answer from ${endpoint.host}${via} within ${options.timeoutSeconds ?? 5} s`) : await gatewayUnreachable(error, endpoint, { proxy, ca, insecureSkipVerify: gateway.insecure_skip_verify });
    return [{ kind: "gateway", subject, verdict: "fail", detail: reason.message, hint: `check that this host reaches ${endpoint.host}${via} (firewall, proxy: section, gateway.ca)` }];
  }
  const receivedAt = now();
  const reach: CheckResult = response.ok
    ? { kind: "gateway", subject, verdict: "ok", detail: `answered ${response.status} in ${receivedAt - sentAt} ms${via}` }
    : { kind: "gateway", subject, verdict: "fail", detail: `answered ${response.status}${via}: is this an Outpost gateway?`, hint: "check gateway.url (host and port of `outpost gateway serve`)" };
  return [reach, clockCheck(response.headers.get("date"), (sentAt + receivedAt) / 2, receivedAt - sentAt)];
}

/** Skew from the gateway's `Date` header (one-second resolution, so under 1 s plus the round trip is noise). */
function clockCheck(date: string | null, localMs: number, roundTripMs: number): CheckResult {
  const subject = "skew against the gateway";
  const gatewayMs = date ? Date.parse(date) : Number.NaN;
  if (Number.isNaN(gatewayMs)) return { kind: "clock", subject, verdict: "warn", detail: "the gateway's answer had no Date header", hint: "check time sync (NTP) on both hosts" };
  // The header is truncated to the second: its true time is up to 1 s later.
  const skew = gatewayMs + 500 - localMs;
  const seconds = Math.round(skew / 1000);
  if (Math.abs(skew) <= SKEW_WARN_MS + roundTripMs) return { kind: "clock", subject, verdict: "ok", detail: `within ${Math.ceil((SKEW_WARN_MS + roundTripMs) / 1000)} s` };
  const detail = `this host's clock is ${Math.abs(seconds)} s ${skew > 0 ? "behind" : "ahead of"} the gateway's`;
  const verdict = Math.abs(skew) > SKEW_FAIL_MS ? "fail" : "warn";
  return { kind: "clock", subject, verdict, detail, hint: "turn on time sync (NTP, systemd-timesyncd, w32time) on this host" };
}
