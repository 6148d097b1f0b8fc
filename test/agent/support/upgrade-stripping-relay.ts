/**
 * @module
 * What a TLS-inspecting proxy (squid ssl-bump without `http_upgrade_request_protocols`)
 * does to an agent's WebSocket: it terminates TLS, and passes the request on to the
 * gateway without its Upgrade headers — or, in `answer` mode, answers 400 itself with its
 * own Server header, as some proxies do. One request per connection.
 */
import { connect as tlsConnect, createServer, type Server, type TLSSocket } from "node:tls";
import type { TestCa } from "../../support/certs.ts";

export interface StrippingRelay {
  readonly port: number;
  /** Requests seen so far. */
  readonly requests: number;
  stop(): Promise<void>;
}

const HOP_BY_HOP = /^(upgrade|connection|sec-websocket-[a-z-]+):/i;

export async function startStrippingRelay(options: { ca: TestCa; upstreamPort: number; mode: "strip" | "answer" }): Promise<StrippingRelay> {
  const leaf = options.ca.issue("inspecting-relay");
  const open = new Set<TLSSocket>();
  let requests = 0;
  const server: Server = createServer({ cert: leaf.certPem, key: leaf.keyPem }, (client) => {
    open.add(client);
    client.on("close", () => open.delete(client));
    client.on("error", () => client.destroy());
    let head = "";
    const onData = (chunk: Buffer) => {
      head += chunk.toString("latin1");
      const end = head.indexOf("\r\n\r\n");
      if (end < 0) return;
      client.off("data", onData);
      requests++;
      if (options.mode === "answer") {
        client.end("HTTP/1.1 400 Bad Request\r\nServer: squid/5.7\r\nContent-Type: text/html\r\nContent-Length: 21\r\nConnection: close\r\n\r\n<h1>Bad Request</h1>\n");
        return;
      }
      const lines = head.slice(0, end).split("\r\n").filter((line) => !HOP_BY_HOP.test(line));
      const upstream = tlsConnect({ host: "127.0.0.1", port: options.upstreamPort, servername: "localhost", ca: options.ca.certPem });
      open.add(upstream);
      upstream.on("close", () => open.delete(upstream));
      upstream.on("error", () => client.destroy());
      upstream.write(`${lines.join("\r\n")}\r\nConnection: close\r\n\r\n`);
      upstream.pipe(client);
    };
    client.on("data", onData);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  return {
    port: (server.address() as { port: number }).port,
    get requests() {
      return requests;
    },
    async stop() {
      for (const socket of open) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
