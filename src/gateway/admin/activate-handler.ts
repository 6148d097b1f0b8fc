/**
 * @module
 * `POST /v1/activate`: the one call an agent makes without a token. It trades a one-time
 * activation code for registering its public key. Unknown codes count as failed attempts
 * against the caller's address, exactly like bad API tokens.
 */
import { normalizePublicKey } from "../auth/activation-codes.ts";
import { ACTIVATION_CODE_PREFIX } from "../auth/secrets.ts";
import { GatewayError, jsonResponse, readJsonObject } from "../http-errors.ts";
import type { AgentInfo } from "../store/store.ts";
import type { Handler } from "./context.ts";

export const activate: Handler = async (request, ctx) => {
  ctx.auth.assertNotBlocked(ctx.remoteIp);
  const body = await readJsonObject(request);
  if (typeof body.code !== "string" || !body.code.startsWith(ACTIVATION_CODE_PREFIX)) {
    throw new GatewayError("BAD_REQUEST", `code must be the activation code (it starts with "${ACTIVATION_CODE_PREFIX}")`);
  }
  const publicKey = normalizePublicKey(body.publicKey);
  if (!publicKey) throw new GatewayError("BAD_REQUEST", "publicKey must be a base64 Ed25519 public key (32 bytes)");
  const info = body.info;
  if (info !== undefined && (info === null || typeof info !== "object" || Array.isArray(info))) {
    throw new GatewayError("BAD_REQUEST", "info must be a JSON object");
  }
  try {
    const { group, agent } = await ctx.service.activate({ code: body.code, publicKey, info: info as AgentInfo | undefined });
    return jsonResponse({ agentId: agent.id, agentName: agent.name, group: group.name, gatewayUrl: ctx.publicUrl });
  } catch (error) {
    if (error instanceof GatewayError && error.code === "UNAUTHENTICATED") {
      ctx.auth.recordFailure(ctx.remoteIp, "unknown activation code");
    }
    throw error;
  }
};
