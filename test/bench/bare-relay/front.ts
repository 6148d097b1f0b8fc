/**
 * The bare relay's front (issue 13's yardstick, deliberately bare: no auth, no routing, no
 * flow control). `POST /query {sql, params}` goes as one JSON message down the one agent's
 * TLS WebSocket and its JSON answer comes back as the HTTP body. Run by `bare-relay.ts`:
 * `bun front.ts <port> <cert> <key>`.
 */
const [port, cert, key] = process.argv.slice(2) as [string, string, string];
const waiting = new Map<number, (body: string) => void>();
let agent: Bun.ServerWebSocket<unknown> | undefined;
let next = 0;

Bun.serve({
  port: Number(port),
  hostname: "127.0.0.1",
  tls: { cert: Bun.file(cert), key: Bun.file(key) },
  async fetch(request, server) {
    if (new URL(request.url).pathname === "/agent") return server.upgrade(request) ? undefined : new Response("no", { status: 400 });
    if (!agent) return new Response("no agent", { status: 503 });
    const { sql, params } = (await request.json()) as { sql: string; params: unknown[] };
    const id = next++;
    const body = await new Promise<string>((resolve) => {
      waiting.set(id, resolve);
      agent!.send(JSON.stringify({ id, sql, params }));
    });
    return new Response(body, { headers: { "content-type": "application/json" } });
  },
  websocket: {
    open: (ws) => void (agent = ws),
    message(_ws, message) {
      const text = String(message);
      const id = Number(text.slice(6, text.indexOf(",")));
      waiting.get(id)?.(text);
      waiting.delete(id);
    },
  },
});
console.log("listening");
