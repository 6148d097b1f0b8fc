/**
 * A complete Outpost extension. Point a profile at this file:
 *
 *   extensions:
 *     hello:
 *       module: /etc/outpost/extensions/hello-extension.ts
 *       config:
 *         greeting: Hello
 *
 * and call it through the gateway: `GET /v1/groups/{group}/ext/hello/greet?name=Ada`.
 * It needs nothing from Outpost: the types below are the contract from docs/extensions.md.
 */

interface Log {
  info(msg: string, fields?: Record<string, unknown>): void;
}

interface Context {
  config: Record<string, unknown>;
  log: Log;
  signal: AbortSignal;
  requestId: string;
  deadline: number;
}

let started = "";

export default {
  name: "hello",

  init(config: Record<string, unknown>, { log }: { log: Log }) {
    if (typeof config.greeting !== "string") throw new Error("config.greeting must be a string");
    started = new Date().toISOString();
    log.info("hello extension ready");
  },

  async fetch(request: Request, { config, requestId }: Context): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === "/greet" && request.method === "GET") {
      const name = url.searchParams.get("name") ?? "world";
      return Response.json({ message: `${config.greeting}, ${name}!`, requestId, started });
    }
    if (url.pathname === "/echo" && request.method === "POST") {
      return new Response(request.body, { headers: { "content-type": request.headers.get("content-type") ?? "text/plain" } });
    }
    return Response.json({ error: "not found" }, { status: 404 });
  },

  close() {
    started = "";
  },
};
