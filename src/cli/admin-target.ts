/**
 * @module
 * Which gateway an admin command talks to, and how. In order:
 * 1. `--data-dir DIR`: the store file on this host (admin-local.ts), never created here;
 *    or `--store postgres://…`: the gateway's PostgreSQL store, the same way;
 * 2. `--gateway URL` / `$OUTPOST_GATEWAY_URL`, with `--token` / `$OUTPOST_GATEWAY_TOKEN`
 *    and `--ca` / `$OUTPOST_GATEWAY_CA`;
 * 3. the context saved by `outpost gateway login`.
 * A saved token is only ever sent to the URL it was saved for: naming another gateway
 * without a token is refused rather than handing that gateway our token.
 *
 * Failures become one line each: a missing token or target is a UsageError (exit 2); an
 * untrusted certificate names the cause and `--ca`; a 401 is the gateway's own message.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { AdminClient } from "../client/admin-client.ts";
import { CLIENT_CODES, OutpostError } from "../client/errors.ts";
import { readContext, type SavedContext } from "./admin-context.ts";
import { UsageError } from "./errors.ts";
import { VERSION } from "./version.ts";

/** The connection options every admin command takes (gateway-shared.ts declares them). */
export interface TargetArgs {
  gateway?: string;
  token?: string;
  ca?: string;
  dataDir?: string;
  store?: string;
}

export interface AdminTarget {
  client: AdminClient;
  /** `true` in `--data-dir` mode: the store knows no live state (active/no_response). */
  local: boolean;
  /** The gateway's base URL (`--data-dir` mode: the folder), for messages. */
  where: string;
  /** The CA file trusted for the gateway's certificate, if one was named. */
  caPath?: string;
  close(): Promise<void>;
}

/** Sent on every call so the gateway's log says the CLI (and which version) acted. */
export const USER_AGENT = `outpost-cli/${VERSION}`;

const TRUST_CODES = new Set([
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE", "SELF_SIGNED_CERT_IN_CHAIN", "DEPTH_ZERO_SELF_SIGNED_CERT",
  "UNABLE_TO_GET_ISSUER_CERT", "UNABLE_TO_GET_ISSUER_CERT_LOCALLY", "CERT_UNTRUSTED", "CERT_HAS_EXPIRED",
  "ERR_TLS_CERT_ALTNAME_INVALID", "CERT_NOT_YET_VALID",
]);

/** A remote target (flags, then environment, then the saved context); `undefined` when none is named. */
export function remoteSettings(args: TargetArgs, env: NodeJS.ProcessEnv = process.env, useSaved = true): SavedContext | undefined {
  const named = args.gateway ?? env.OUTPOST_GATEWAY_URL;
  const givenToken = args.token ?? env.OUTPOST_GATEWAY_TOKEN;
  const givenCa = args.ca ?? env.OUTPOST_GATEWAY_CA;
  // Read only when something is missing: a damaged context must not block explicit flags.
  const context = useSaved && (!named || !givenToken || givenCa === undefined) ? readContext() : undefined;
  const url = named ? gatewayBaseUrl(named) : context ? gatewayBaseUrl(context.gateway) : undefined;
  if (url === undefined) return undefined;
  const saved = context !== undefined && gatewayBaseUrl(context.gateway) === url ? context : undefined;
  const token = givenToken ?? saved?.token;
  if (!token) {
    throw new UsageError(`no token for ${url}: pass --token, set OUTPOST_GATEWAY_TOKEN, or run \`outpost gateway login --gateway ${url}\``);
  }
  const ca = givenCa ?? saved?.ca;
  return { gateway: url, token, ca: ca === undefined ? undefined : resolve(ca) };
}

/**
 * `https://host[:port]` from what an operator may paste: the agents' `wss://` URL works
 * too. Plain `http://` is refused off loopback: the admin token would cross the network
 * in the clear.
 */
export function gatewayBaseUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw.replace(/^wss:/i, "https:").replace(/^ws:/i, "http:"));
  } catch {
    throw new UsageError(`--gateway must be a URL such as https://gateway.example.com (got "${raw}")`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new UsageError(`--gateway must be an https:// URL (got "${raw}")`);
  if (url.protocol === "http:" && !/^(127\.\d+\.\d+\.\d+|\[::1\]|localhost)$/.test(url.hostname)) {
    throw new UsageError(`refusing to send an admin token in the clear to ${url.host}: use https://`);
  }
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, "")}`;
}

/** Opens the target the arguments name; with none, one error saying what to pass. */
export async function openTarget(args: TargetArgs, useSaved = true): Promise<AdminTarget> {
  const { OutpostClient } = await import("../client/outpost-client.ts");
  if (args.dataDir !== undefined || args.store !== undefined) {
    if (args.gateway !== undefined || args.token !== undefined) throw new UsageError("give --data-dir (or --store) or --gateway/--token, not both");
    if (args.dataDir !== undefined && args.store !== undefined) throw new UsageError("give --data-dir or --store, not both");
    const { openLocalAdmin, openStoreAdmin } = await import("./admin-local.ts");
    const local = args.store !== undefined ? await openStoreAdmin(args.store) : await openLocalAdmin(args.dataDir!);
    const client = new OutpostClient({ url: "http://local.invalid", token: "local", fetch: local.fetch, retries: 0 });
    return { client: client.admin, local: true, where: local.where, close: local.close };
  }
  const remote = remoteSettings(args, process.env, useSaved);
  if (!remote) {
    throw new UsageError(
      "no gateway to administer: pass --gateway URL --token TOKEN (or run `outpost gateway login` once), or --data-dir DIR on the gateway's host",
    );
  }
  const client = new OutpostClient({ url: remote.gateway, token: remote.token, ca: readCa(remote.ca), fetch: withUserAgent, timeoutMs: 30_000 });
  return { client: client.admin, local: false, where: remote.gateway, caPath: remote.ca, close: async () => {} };
}

function readCa(path: string | undefined): string | undefined {
  if (path === undefined) return undefined;
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    throw new UsageError(`cannot read the CA file ${path}: ${(error as Error).message}`, { cause: error });
  }
}

function withUserAgent(input: string, init: RequestInit): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set("user-agent", USER_AGENT);
  return fetch(input, { ...init, headers });
}

/**
 * Runs one command against the target and closes it; refusals come out as one clear line.
 * `useSaved: false` ignores the saved context (`login` replaces it, damaged or not).
 */
export async function withTarget<R>(args: TargetArgs, run: (target: AdminTarget) => Promise<R>, useSaved = true): Promise<R> {
  const target = await openTarget(args, useSaved);
  try {
    return await run(target);
  } catch (error) {
    throw explain(error, target);
  } finally {
    await target.close();
  }
}

/** The error an operator can act on. */
export function explain(error: unknown, target: Pick<AdminTarget, "where" | "caPath">): unknown {
  if (!(error instanceof OutpostError)) return error;
  if (error.code === "BAD_REQUEST") return new UsageError(error.message, { cause: error });
  if (error.status === 401) return new OutpostError(error.code, `the gateway refused the token: ${error.message}`, { status: 401, cause: error });
  const code = (error.cause as { code?: unknown } | undefined)?.code;
  if (typeof code === "string" && TRUST_CODES.has(code)) {
    const detail = (error.cause as Error).message;
    const hint = target.caPath ? `is ${target.caPath} the CA that signed it?` : "pass --ca FILE with the CA that signed it (or set OUTPOST_GATEWAY_CA)";
    return new OutpostError(error.code, `the gateway's certificate is not trusted (${code}: ${detail}); ${hint}`, { cause: error });
  }
  if (error.code === CLIENT_CODES.NETWORK) {
    const detail = error.cause instanceof Error ? error.cause.message : error.message;
    return new OutpostError(error.code, `cannot reach the gateway at ${target.where}: ${detail}`, { retryable: true, cause: error });
  }
  return error;
}
