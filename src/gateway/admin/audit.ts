/**
 * @module
 * Who did what through the admin API and the console. Handlers authenticate through
 * `authenticate` (which remembers the token for this request's access line and audit
 * lines); the AdminService reports each change (routes.ts binds it to `audit` per
 * request): one line on the `audit` logger component naming the actor (token name and id,
 * source address), the request id and what changed. Route or level `audit` like any
 * other component (`outpost gateway serve --log-level audit=…`).
 */
import type { Principal } from "../auth/authenticator.ts";
import type { HandlerContext } from "./context.ts";

/** The request's token as a principal (401/429 as the Authenticator decides), remembered on `ctx`. */
export async function authenticate(request: Request, ctx: HandlerContext): Promise<Principal> {
  const principal = await ctx.auth.authenticate(request, ctx.remoteIp);
  ctx.principal = principal;
  ctx.entry.caller = principal.name;
  return principal;
}

/** Logs a change (`"agent disabled"`, `"API token created"`) with its actor; `fields` (no secrets) say what changed. */
export function audit(ctx: HandlerContext, action: string, fields: Record<string, unknown>): void {
  ctx.audit.info(action, {
    requestId: ctx.requestId,
    actor: ctx.principal?.name,
    actorId: ctx.principal?.tokenId,
    remoteIp: ctx.remoteIp,
    via: "api",
    ...fields,
  });
}
