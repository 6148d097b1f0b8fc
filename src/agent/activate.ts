/**
 * @module
 * `outpost activate`: makes this host's Ed25519 key pair locally, registers the public
 * key with the gateway using the one-time code, and writes the identity file (0600) and
 * the `gateway:` section of config.yml. The secret key never leaves this host.
 */
import { hostname } from "node:os";
import { writeGatewaySection } from "../config/edit-gateway.ts";
import { generateIdentity, writeIdentityFile } from "../crypto/identity.ts";
import { gatewayUnreachable } from "./tls-diagnose.ts";

export interface ActivateOptions {
  code: string;
  /** `wss://host:port` (https:// is accepted too). */
  gatewayUrl: string;
  configPath: string;
  identityPath: string;
  /** PEM of the CAs trusted for the gateway instead of the system store (`gateway.ca`). */
  ca?: string;
  /** Path of that CA as the user gave it, written to config.yml. */
  caPath?: string;
  insecureSkipVerify?: boolean;
  proxy?: string;
  version: string;
}

export interface ActivationResult {
  agentId: string;
  agentName: string;
  group: string;
}

export async function activateAgent(options: ActivateOptions): Promise<ActivationResult> {
  const gatewayUrl = normalizeGatewayUrl(options.gatewayUrl);
  const pair = await generateIdentity();
  const endpoint = new URL("/v1/activate", gatewayUrl.replace(/^ws/, "http"));
  let response: Response;
  try {
    response = await fetch(endpoint, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        code: options.code,
        publicKey: pair.publicKey,
        info: { version: options.version, hostname: hostname(), os: process.platform, pid: process.pid },
      }),
      tls: { ca: options.ca, rejectUnauthorized: !options.insecureSkipVerify },
      proxy: options.proxy,
    });
  } catch (error) {
    throw await gatewayUnreachable(error, endpoint, options);
  }
  const body = (await response.json().catch(() => ({}))) as { agentId?: string; agentName?: string; group?: string; error?: { message?: string } };
  if (!response.ok || !body.agentId) {
    throw new Error(`activation refused by the gateway (${response.status}): ${body.error?.message ?? "no reason given"}`);
  }
  writeIdentityFile(options.identityPath, {
    agentId: body.agentId,
    gateway: gatewayUrl,
    publicKey: pair.publicKey,
    secretKey: pair.secretKey,
    createdAt: new Date().toISOString(),
  });
  writeGatewaySection(options.configPath, {
    url: gatewayUrl,
    identity: options.identityPath,
    ca: options.caPath,
    insecure_skip_verify: options.insecureSkipVerify || undefined,
  });
  return { agentId: body.agentId, agentName: body.agentName ?? "", group: body.group ?? "" };
}

/** Accepts `wss://`, `https://` or a bare `host:port`; agents always dial `wss://`. */
export function normalizeGatewayUrl(text: string): string {
  const withScheme = /^[a-z]+:\/\//i.test(text) ? text : `wss://${text}`;
  const url = new URL(withScheme);
  if (url.protocol === "https:") url.protocol = "wss:";
  if (url.protocol === "http:") url.protocol = "ws:";
  if (url.protocol !== "wss:" && url.protocol !== "ws:") throw new Error(`gateway URL must start with wss:// (got ${url.protocol})`);
  return `${url.protocol}//${url.host}`;
}
