/**
 * @module
 * `/v1/groups` handlers. Creating, changing and deleting groups takes an admin token;
 * reading takes any token, and a scoped token sees only its groups.
 */
import { authorizeGroup, canUseGroup, requireAdmin } from "../auth/authenticator.ts";
import { jsonResponse, readJsonObject } from "../http-errors.ts";
import type { Handler } from "./context.ts";
import { agentView, groupView } from "./views.ts";
import { authenticate } from "./audit.ts";

export const createGroup: Handler = async (request, ctx) => {
  requireAdmin(await authenticate(request, ctx));
  const body = await readJsonObject(request);
  const group = await ctx.service.createGroup(body.name, body.settings);
  return jsonResponse({ group: groupView(group, [], ctx.live) }, 201);
};

export const listGroups: Handler = async (request, ctx) => {
  const principal = await authenticate(request, ctx);
  const store = ctx.service.store;
  const agents = await store.listAgents();
  const groups = (await store.listGroups())
    .filter((group) => canUseGroup(principal, group.name))
    .map((group) => groupView(group, agents.filter((agent) => agent.groupId === group.id), ctx.live, principal));
  return jsonResponse({ groups });
};

export const showGroup: Handler = async (request, ctx) => {
  const principal = await authenticate(request, ctx);
  authorizeGroup(principal, ctx.params.group!);
  const group = await ctx.service.group(ctx.params.group!);
  const agents = await ctx.service.store.listAgents(group.id);
  return jsonResponse({
    group: groupView(group, agents, ctx.live, principal),
    agents: agents.map((agent) => agentView(agent, group.name, ctx.live)),
  });
};

export const updateGroup: Handler = async (request, ctx) => {
  requireAdmin(await authenticate(request, ctx));
  const body = await readJsonObject(request);
  const group = await ctx.service.updateGroupSettings(ctx.params.group!, body.settings ?? {});
  const agents = await ctx.service.store.listAgents(group.id);
  return jsonResponse({ group: groupView(group, agents, ctx.live) });
};

export const deleteGroup: Handler = async (request, ctx) => {
  requireAdmin(await authenticate(request, ctx));
  const force = ["1", "true", "yes"].includes(ctx.url.searchParams.get("force") ?? "");
  const { agentsRemoved } = await ctx.service.deleteGroup(ctx.params.group!, force);
  return jsonResponse({ deleted: { group: ctx.params.group, agentsRemoved } });
};

