/**
 * @module
 * `/v1/groups/{group}/upgrade`: ask for a rolling upgrade of a group's agents (admin), and
 * read its progress (any token for the group). The gateway carries it out (rollout.ts).
 */
import { authorizeGroup, requireAdmin } from "../auth/authenticator.ts";
import { GatewayError, jsonResponse, readJsonObject } from "../http-errors.ts";
import { readRollout, requestRollout, type RolloutRecord } from "../rollout.ts";
import type { Handler } from "./context.ts";
import { audit, authenticate } from "./audit.ts";

export const startRollout: Handler = async (request, ctx) => {
  requireAdmin(await authenticate(request, ctx));
  const group = await ctx.service.group(ctx.params.group!);
  const body = await readJsonObject(request);
  if (typeof body.version !== "string") throw new GatewayError("BAD_REQUEST", "version must be a release version such as 1.4.0", { field: "version" });
  if (body.baseUrl !== undefined && typeof body.baseUrl !== "string") throw new GatewayError("BAD_REQUEST", "baseUrl must be a URL", { field: "baseUrl" });
  const rollout = await requestRollout(ctx.service.store, group.id, body.version, body.baseUrl);
  audit(ctx, "rollout requested", { group: group.name, version: body.version });
  return jsonResponse({ rollout: rolloutView(rollout) }, 202);
};

export const showRollout: Handler = async (request, ctx) => {
  authorizeGroup(await authenticate(request, ctx), ctx.params.group!);
  const group = await ctx.service.group(ctx.params.group!);
  const rollout = await readRollout(ctx.service.store, group.id);
  if (!rollout) throw new GatewayError("NOT_FOUND", `group "${group.name}" has had no rollout`);
  return jsonResponse({ rollout: rolloutView(rollout) });
};

/** The stored record keeps epoch ms; the API answers ISO 8601 like every other time. */
function rolloutView(rollout: RolloutRecord) {
  return { ...rollout, requestedAt: new Date(rollout.requestedAt).toISOString(), updatedAt: new Date(rollout.updatedAt).toISOString() };
}
