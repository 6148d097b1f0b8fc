/**
 * @module
 * `POST /v1/agent/rotate-key`: a live agent moves to a new key without re-activation
 * (Workato's agents stop when their yearly certificate expires; ours never have to).
 * The request is signed by the current key and by the new one (proof of possession),
 * over a transcript with a timestamp, so it cannot be replayed later or forged without
 * the current key. The old key stays accepted until the agent connects with the new one.
 * Repeating a rotation that already happened is accepted and changes nothing, so an agent
 * that crashed before saving its answer can finish the job.
 */
import { verify } from "../crypto/identity.ts";
import { rotationTranscript } from "../protocol/index.ts";
import type { Authenticator } from "./auth/authenticator.ts";
import { GatewayError, jsonResponse, readJsonObject } from "./http-errors.ts";
import type { GatewayStore } from "./store/store.ts";

/** How far `issuedAt` may be from the gateway's clock. */
const MAX_SKEW_MS = 5 * 60_000;

export async function handleRotateKey(
  request: Request,
  deps: { store: GatewayStore; auth: Authenticator; remoteIp: string; now?: () => number },
): Promise<Response> {
  deps.auth.assertNotBlocked(deps.remoteIp);
  const body = await readJsonObject(request);
  const { agentId, newPublicKey, issuedAt, signature, proof } = body;
  if (typeof agentId !== "string" || typeof newPublicKey !== "string" || typeof issuedAt !== "number" ||
      typeof signature !== "string" || typeof proof !== "string") {
    throw new GatewayError("BAD_REQUEST", "expected {agentId, newPublicKey, issuedAt, signature, proof}");
  }
  const now = (deps.now ?? Date.now)();
  if (Math.abs(now - issuedAt) > MAX_SKEW_MS) {
    throw new GatewayError("BAD_REQUEST", "issuedAt is more than 5 minutes away from the gateway's clock; check the agent's clock");
  }
  const refuse = (reason: string) => {
    deps.auth.recordFailure(deps.remoteIp, "key rotation refused", { agentId });
    return new GatewayError("UNAUTHENTICATED", reason);
  };
  const agent = await deps.store.getAgent(agentId);
  if (!agent?.publicKey) throw refuse("unknown agent");
  const transcript = rotationTranscript(agentId, newPublicKey, issuedAt);
  const signatureBytes = Buffer.from(signature, "base64");
  if (!(await verify(newPublicKey, transcript, Buffer.from(proof, "base64")))) throw refuse("the proof is not signed by the new key");
  if (await verify(agent.publicKey, transcript, signatureBytes)) {
    if (agent.publicKey !== newPublicKey) await deps.store.beginKeyRotation(agentId, newPublicKey);
    return jsonResponse({ agentId, status: "rotating" });
  }
  const repeat = agent.publicKey === newPublicKey && agent.previousPublicKey !== null &&
    (await verify(agent.previousPublicKey, transcript, signatureBytes));
  if (repeat) return jsonResponse({ agentId, status: "rotating" });
  throw refuse("the request is not signed by the agent's current key");
}
