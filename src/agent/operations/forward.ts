/**
 * @module
 * Forwarded HTTP and extension requests: the caller's method, path, headers and body go
 * to the profile's connector, and its status, headers and body come back as they are,
 * streamed both ways.
 */
import type { ExtensionConnector, HttpConnector } from "../../connectors/connector.ts";
import type { Managed } from "../../connectors/managed.ts";
import type { Reply } from "../reply.ts";
import { headerList, requiredString, type Args } from "./args.ts";
import { requestBody, type OperationContext } from "./context.ts";

const BODYLESS = new Set(["GET", "HEAD"]);

export async function forward(http: Managed<HttpConnector>, args: Args, reply: Reply, { ctx, stream, bodyLimit }: OperationContext): Promise<void> {
  const method = requiredString(args, "method").toUpperCase();
  const response = await http.forward(
    { method, path: requiredString(args, "path"), headers: headerList(args, "headers"), body: BODYLESS.has(method) ? null : requestBody(stream, bodyLimit) },
    ctx,
  );
  await reply.body(response.status, response.headers, response.body);
}

export async function extension(ext: Managed<ExtensionConnector>, args: Args, reply: Reply, { ctx, stream, bodyLimit }: OperationContext): Promise<void> {
  const method = requiredString(args, "method").toUpperCase();
  const path = requiredString(args, "path");
  // `duplex: "half"` lets a streamed body through; the DOM's RequestInit type lacks it.
  const init: RequestInit & { duplex: "half" } = {
    method,
    headers: headerList(args, "headers"),
    body: BODYLESS.has(method) ? null : requestBody(stream, bodyLimit),
    signal: ctx.signal,
    duplex: "half",
  };
  const request = new Request(`http://extension.local/${path}`, init as RequestInit);
  const response = await ext.handle(request, ctx);
  const headers: [string, string][] = [];
  response.headers.forEach((value, name) => headers.push([name, value]));
  await reply.body(response.status, headers, response.body);
}
