/**
 * @module
 * The admin API's route table and a tiny matcher. `handleAdminRequest` answers a request
 * whose path is in the table (errors included, as JSON) and returns `undefined` for any
 * other path, so the gateway server can try its own routes (the invoke API shares the
 * `/v1/groups/{group}/...` prefix but never a full admin pattern).
 */
import { AccessLog } from "../access-log.ts";
import { errorResponse, GatewayError } from "../http-errors.ts";
import { activate } from "./activate-handler.ts";
import * as agents from "./agent-handlers.ts";
import { audit } from "./audit.ts";
import type { AdminContext, Handler, HandlerContext, RequestInfo } from "./context.ts";
import * as groups from "./group-handlers.ts";
import * as rollouts from "./rollout-handlers.ts";
import * as tokens from "./token-handlers.ts";

export interface Route {
  method: string;
  /** Segments starting with `:` capture one path segment. */
  pattern: string;
  handler: Handler;
}

export const ADMIN_ROUTES: readonly Route[] = [
  { method: "POST", pattern: "/v1/activate", handler: activate },
  { method: "POST", pattern: "/v1/groups", handler: groups.createGroup },
  { method: "GET", pattern: "/v1/groups", handler: groups.listGroups },
  { method: "GET", pattern: "/v1/groups/:group", handler: groups.showGroup },
  { method: "PATCH", pattern: "/v1/groups/:group", handler: groups.updateGroup },
  { method: "DELETE", pattern: "/v1/groups/:group", handler: groups.deleteGroup },
  { method: "POST", pattern: "/v1/groups/:group/upgrade", handler: rollouts.startRollout },
  { method: "GET", pattern: "/v1/groups/:group/upgrade", handler: rollouts.showRollout },
  { method: "POST", pattern: "/v1/groups/:group/agents", handler: agents.addAgent },
  { method: "GET", pattern: "/v1/groups/:group/agents", handler: agents.listAgents },
  { method: "GET", pattern: "/v1/groups/:group/agents/:agent", handler: agents.showAgent },
  { method: "DELETE", pattern: "/v1/groups/:group/agents/:agent", handler: agents.removeAgent },
  { method: "POST", pattern: "/v1/groups/:group/agents/:agent/enable", handler: agents.enableAgent },
  { method: "POST", pattern: "/v1/groups/:group/agents/:agent/disable", handler: agents.disableAgent },
  { method: "POST", pattern: "/v1/groups/:group/agents/:agent/activation-code", handler: agents.newActivationCode },
  { method: "POST", pattern: "/v1/admin/tokens", handler: tokens.createToken },
  { method: "GET", pattern: "/v1/admin/tokens", handler: tokens.listTokens },
  { method: "DELETE", pattern: "/v1/admin/tokens/:token", handler: tokens.revokeToken },
];

export type RouteMatch =
  | { kind: "found"; route: Route; params: Record<string, string> }
  | { kind: "wrong-method"; allowed: string[] }
  | { kind: "none" };

/** Matches a path against the table; a path that exists under another method is `wrong-method`. */
export function matchRoute(routes: readonly Route[], method: string, pathname: string): RouteMatch {
  const segments = pathname.replace(/\/+$/, "").split("/");
  const allowed: string[] = [];
  for (const route of routes) {
    const params = matchPattern(route.pattern, segments);
    if (!params) continue;
    if (route.method === method) return { kind: "found", route, params };
    allowed.push(route.method);
  }
  return allowed.length > 0 ? { kind: "wrong-method", allowed } : { kind: "none" };
}

function matchPattern(pattern: string, segments: string[]): Record<string, string> | undefined {
  const parts = pattern.split("/");
  if (parts.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (const [index, part] of parts.entries()) {
    const segment = segments[index]!;
    if (part.startsWith(":")) {
      if (segment === "") return undefined;
      try {
        params[part.slice(1)] = decodeURIComponent(segment);
      } catch {
        return undefined;
      }
    } else if (part !== segment) {
      return undefined;
    }
  }
  return params;
}

/**
 * Answers an admin request, or returns `undefined` when the path is not an admin path.
 * Every thrown error becomes the JSON error body with its honest status.
 */
export function handleAdminRequest(request: Request, ctx: AdminContext, info: RequestInfo): Promise<Response | undefined> {
  return handleRoutes(ADMIN_ROUTES, request, new URL(request.url), ctx, info);
}

/**
 * Answers a request whose path is in `routes` (405 with `Allow` for another method), else
 * `undefined`. Each answered request gets its access line, with the route as its op.
 */
export async function handleRoutes(
  routes: readonly Route[], request: Request, url: URL, ctx: AdminContext, info: RequestInfo,
): Promise<Response | undefined> {
  const match = matchRoute(routes, request.method, url.pathname);
  if (match.kind === "none") return undefined;
  const started = performance.now();
  const entry = AccessLog.begin(request, match.kind === "found" ? `${match.route.method} ${match.route.pattern}` : `${request.method} ${url.pathname}`, info);
  let response: Response;
  let failure: unknown;
  try {
    if (match.kind === "wrong-method") {
      failure = new GatewayError("METHOD_NOT_ALLOWED", `${request.method} is not allowed here; use ${match.allowed.join(", ")}`);
      response = errorResponse(failure, info.requestId);
      response.headers.set("allow", match.allowed.join(", "));
    } else {
      const handlerCtx: HandlerContext = { ...ctx, ...info, params: match.params, url, entry };
      // The service reports each change with this request's actor (known once the handler authenticates).
      handlerCtx.service = ctx.service.withAudit(ctx.localAudit ?? ((action, fields) => audit(handlerCtx, action, fields)));
      response = await match.route.handler(request, handlerCtx);
      response.headers.set("x-request-id", info.requestId);
    }
  } catch (error) {
    failure = error;
    response = errorResponse(error, info.requestId, ctx.log);
  }
  ctx.access?.answered(entry, response, started, failure);
  return response;
}
