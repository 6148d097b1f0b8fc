/**
 * @module
 * `/v1/admin/tokens` handlers; all take an admin token. The secret is in the creation
 * answer only.
 */
import { requireAdmin } from "../auth/authenticator.ts";
import { jsonResponse, readJsonObject } from "../http-errors.ts";
import type { Handler } from "./context.ts";
import { tokenView } from "./views.ts";
import { authenticate } from "./audit.ts";

export const createToken: Handler = async (request, ctx) => {
  requireAdmin(await authenticate(request, ctx));
  const body = await readJsonObject(request);
  const { token, secret } = await ctx.service.createToken({ name: body.name, groups: body.groups, admin: body.admin });
  return jsonResponse({ token: tokenView(token), secret }, 201);
};

export const listTokens: Handler = async (request, ctx) => {
  requireAdmin(await authenticate(request, ctx));
  return jsonResponse({ tokens: (await ctx.service.store.listApiTokens()).map(tokenView) });
};

export const revokeToken: Handler = async (request, ctx) => {
  requireAdmin(await authenticate(request, ctx));
  const token = await ctx.service.revokeToken(ctx.params.token!);
  return jsonResponse({ token: tokenView(token) });
};
