/**
 * @module
 * `outpost keys rotate`: moves this agent to a new key pair. The new pair is saved to
 * `<identity>.pending` before the gateway is asked, so a crash at any point can be
 * finished by running the command again; the identity file is replaced (atomically) only
 * after the gateway accepted the new key. A running agent notices the new identity file
 * and reconnects with it.
 */
import { existsSync, readFileSync, rmSync } from "node:fs";
import { writeFileAtomic } from "../crypto/atomic-file.ts";
import { generateIdentity, readIdentityFile, sign, writeIdentityFile, type KeyPair } from "../crypto/identity.ts";
import { gatewayUnreachable } from "./tls-diagnose.ts";
import { ROTATE_KEY_PATH, rotationTranscript, type RotateKeyRequest } from "../protocol/index.ts";

export interface RotateOptions {
  identityPath: string;
  ca?: string;
  insecureSkipVerify?: boolean;
  proxy?: string;
}

export async function rotateAgentKey(options: RotateOptions): Promise<{ agentId: string; publicKey: string }> {
  const identity = readIdentityFile(options.identityPath);
  const pendingPath = `${options.identityPath}.pending`;
  const next: KeyPair = existsSync(pendingPath) ? (JSON.parse(readFileSync(pendingPath, "utf8")) as KeyPair) : await generateIdentity();
  writeFileAtomic(pendingPath, JSON.stringify(next), { mode: 0o600 });

  const issuedAt = Date.now();
  const transcript = rotationTranscript(identity.agentId, next.publicKey, issuedAt);
  const body: RotateKeyRequest = {
    agentId: identity.agentId,
    newPublicKey: next.publicKey,
    issuedAt,
    signature: Buffer.from(await sign(identity.secretKey, transcript)).toString("base64"),
    proof: Buffer.from(await sign(next.secretKey, transcript)).toString("base64"),
  };
  const url = new URL(ROTATE_KEY_PATH, identity.gateway.replace(/^ws/, "http"));
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
    tls: { ca: options.ca, rejectUnauthorized: !options.insecureSkipVerify },
    proxy: options.proxy,
  }).catch(async (error: unknown) => {
    throw await gatewayUnreachable(error, url, options);
  });
  if (!response.ok) {
    const answer = (await response.json().catch(() => ({}))) as { error?: { message?: string } };
    throw new Error(`the gateway refused the new key (${response.status}): ${answer.error?.message ?? "no reason given"}`);
  }
  writeIdentityFile(options.identityPath, { ...identity, publicKey: next.publicKey, secretKey: next.secretKey, createdAt: new Date().toISOString() });
  rmSync(pendingPath, { force: true });
  return { agentId: identity.agentId, publicKey: next.publicKey };
}
