/**
 * @module
 * `/v1/groups/{group}/agents` handlers. Adding, enabling, disabling, removing agents and
 * issuing codes takes an admin token; reading takes a token scoped to the group.
 */
import { authorizeGroup, requireAdmin } from "../auth/authenticator.ts";
import { jsonResponse, readJsonObject } from "../http-errors.ts";
import type { Handler, HandlerContext } from "./context.ts";
import { agentView, iso } from "./views.ts";
import { authenticate } from "./audit.ts";

async function admin(request: Request, ctx: HandlerContext): Promise<void> {
  requireAdmin(await authenticate(request, ctx));
}

export const addAgent: Handler = async (request, ctx) => {
  await admin(request, ctx);
  const body = await readJsonObject(request);
  const added = await ctx.service.addAgent(ctx.params.group!, body.name, ctx.publicUrl);
  return jsonResponse({
    agent: agentView(added.agent, added.group.name, ctx.live),
    activationCode: added.activationCode,
    expiresAt: iso(added.expiresAt),
    command: added.command,
  }, 201);
};

export const listAgents: Handler = async (request, ctx) => {
  authorizeGroup(await authenticate(request, ctx), ctx.params.group!);
  const group = await ctx.service.group(ctx.params.group!);
  const agents = await ctx.service.store.listAgents(group.id);
  return jsonResponse({ agents: agents.map((agent) => agentView(agent, group.name, ctx.live)) });
};

export const showAgent: Handler = async (request, ctx) => {
  authorizeGroup(await authenticate(request, ctx), ctx.params.group!);
  const { group, agent } = await ctx.service.agent(ctx.params.group!, ctx.params.agent!);
  return jsonResponse({ agent: agentView(agent, group.name, ctx.live) });
};

function setStatus(status: "enabled" | "disabled"): Handler {
  return async (request, ctx) => {
    await admin(request, ctx);
    const agent = await ctx.service.setAgentStatus(ctx.params.group!, ctx.params.agent!, status);
    return jsonResponse({ agent: agentView(agent, ctx.params.group!, ctx.live) });
  };
}

export const enableAgent = setStatus("enabled");
export const disableAgent = setStatus("disabled");

export const removeAgent: Handler = async (request, ctx) => {
  await admin(request, ctx);
  const agent = await ctx.service.removeAgent(ctx.params.group!, ctx.params.agent!);
  return jsonResponse({ deleted: { group: ctx.params.group, agent: agent.name, id: agent.id } });
};

export const newActivationCode: Handler = async (request, ctx) => {
  await admin(request, ctx);
  const issued = await ctx.service.newActivationCode(ctx.params.group!, ctx.params.agent!, ctx.publicUrl);
  return jsonResponse({
    agent: agentView(issued.agent, ctx.params.group!, ctx.live),
    activationCode: issued.activationCode,
    expiresAt: iso(issued.expiresAt),
    command: issued.command,
  }, 201);
};
