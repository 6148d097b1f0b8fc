/**
 * @module
 * The console's routes: its static page at `/console`, the event stream (and the ticket
 * that opens it), per-group rates and history, the group's last requests (filtered by
 * agent and status), and the alert delivery log. They share the
 * admin API's matcher and error answers; `handleConsoleRequest` returns `undefined` for
 * any other path.
 */
import { authorizeGroup, requireAdmin } from "../auth/authenticator.ts";
import { authenticate } from "../admin/audit.ts";
import type { AdminContext, RequestInfo } from "../admin/context.ts";
import { handleRoutes, type Route } from "../admin/routes.ts";
import { GatewayError, jsonResponse } from "../http-errors.ts";
import { consoleAsset } from "./console-assets.ts";
import type { ConsoleServices } from "./console-services.ts";
import type { RequestFilter } from "./request-history.ts";

/** The console's routes over its services (the handlers close over them). */
export function consoleRoutes(services: ConsoleServices): Route[] {
  const { history, events, alerts } = services;
  return [
    { method: "GET", pattern: "/console", handler: async () => consoleAsset("index.html") },
    { method: "GET", pattern: "/console/:asset", handler: async (_request, ctx) => consoleAsset(ctx.params.asset!) },
    {
      method: "POST",
      pattern: "/v1/admin/events/ticket",
      handler: async (request, ctx) => {
        const principal = await authenticate(request, ctx);
        requireAdmin(principal);
        const { ticket, expiresAt } = events.issueTicket(principal.tokenId);
        return jsonResponse({ ticket, expiresAt: new Date(expiresAt).toISOString() }, 201, { "cache-control": "no-store" });
      },
    },
    {
      method: "GET",
      pattern: "/v1/admin/events",
      handler: async (request, ctx) => {
        ctx.auth.assertNotBlocked(ctx.remoteIp);
        try {
          return events.open(ctx.url.searchParams.get("ticket"), request.signal);
        } catch (error) {
          ctx.auth.recordFailure(ctx.remoteIp, "bad events ticket");
          throw error;
        }
      },
    },
    {
      method: "GET",
      pattern: "/v1/admin/stats",
      handler: async (request, ctx) => {
        requireAdmin(await authenticate(request, ctx));
        const groups = await ctx.service.store.listGroups();
        return jsonResponse({ groups: groups.map((group) => ({ name: group.name, ...history.summary(group.name) })) });
      },
    },
    {
      method: "GET",
      pattern: "/v1/groups/:group/stats",
      handler: async (request, ctx) => {
        authorizeGroup(await authenticate(request, ctx), ctx.params.group!);
        const group = await ctx.service.group(ctx.params.group!);
        return jsonResponse({ group: group.name, ...history.summary(group.name), bucketMs: history.bucketMs, series: history.series(group.name) });
      },
    },
    {
      method: "GET",
      pattern: "/v1/groups/:group/requests",
      handler: async (request, ctx) => {
        authorizeGroup(await authenticate(request, ctx), ctx.params.group!);
        const group = await ctx.service.group(ctx.params.group!);
        return jsonResponse({ requests: history.recent({ group: group.name, ...requestFilter(ctx.url.searchParams) }) });
      },
    },
    {
      method: "GET",
      pattern: "/v1/groups/:group/alerts",
      handler: async (request, ctx) => {
        requireAdmin(await authenticate(request, ctx));
        const group = await ctx.service.group(ctx.params.group!);
        const deliveries = alerts.deliveries(group.name).map((delivery) => ({
          ...delivery,
          createdAt: new Date(delivery.createdAt).toISOString(),
          finishedAt: delivery.finishedAt === null ? null : new Date(delivery.finishedAt).toISOString(),
        }));
        return jsonResponse({ deliveries });
      },
    },
  ];
}

/** Most requests one call returns. */
const MAX_REQUESTS = 1000;

/** `?agent=db01&status=5xx&limit=50` as a filter; BAD_REQUEST naming the parameter that is wrong. */
function requestFilter(query: URLSearchParams): Omit<RequestFilter, "group"> {
  const agent = query.get("agent") || undefined;
  const statusText = query.get("status");
  let status: RequestFilter["status"];
  if (statusText) {
    const match = /^([1-5])(?:xx|\d\d)$/i.exec(statusText);
    if (!match) throw new GatewayError("BAD_REQUEST", `status must be an HTTP status (502) or a class (5xx), not "${statusText.slice(0, 20)}"`, { field: "status" });
    status = /xx$/i.test(statusText) ? { class: Number(match[1]) } : { exact: Number(statusText) };
  }
  const limitText = query.get("limit") ?? "100";
  const limit = Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_REQUESTS) {
    throw new GatewayError("BAD_REQUEST", `limit must be a whole number from 1 to ${MAX_REQUESTS}`, { field: "limit" });
  }
  return { agent, status, limit };
}

/** Answers a console request, or `undefined` when the path is not one of `routes`. */
export function handleConsoleRequest(request: Request, url: URL, routes: readonly Route[], ctx: AdminContext, info: RequestInfo): Promise<Response | undefined> {
  return handleRoutes(routes, request, url, ctx, info);
}
