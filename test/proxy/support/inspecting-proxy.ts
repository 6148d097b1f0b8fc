/**
 * @module
 * A TLS-inspecting corporate proxy in miniature: it answers CONNECT, terminates the TLS
 * inside the tunnel with a certificate from its OWN CA ("Corp Inspection CA"), and relays
 * the plain bytes to the real gateway over a second TLS connection that does trust the
 * gateway's CA. Agents that do not trust the corp CA see an unexpected issuer.
 */
import { connect as netConnect, createServer, type Server, type Socket } from "node:net";
import { connect as tlsConnect, createServer as createTlsServer, type Server as TlsServer } from "node:tls";
import { createTestCa, type TestCa } from "../../support/certs.ts";

export interface InspectingProxy {
  readonly port: number;
  readonly ca: TestCa;
  /** `http://127.0.0.1:port`. */
  readonly url: string;
  /** CONNECT requests answered so far. */
  readonly tunnels: number;
  stop(): Promise<void>;
}

/** Relays every tunnel to `127.0.0.1:upstreamPort`, trusting `upstreamCa` there. */
export async function startInspectingProxy(options: { upstreamPort: number; upstreamCa: string }): Promise<InspectingProxy> {
  const ca = createTestCa("Corp Inspection CA");
  const leaf = ca.issue("corp-inspection");
  const open = new Set<Socket>();
  const inner: TlsServer = createTlsServer({ cert: leaf.certPem, key: leaf.keyPem }, (client) => {
    const upstream = tlsConnect({ host: "127.0.0.1", port: options.upstreamPort, servername: "localhost", ca: options.upstreamCa });
    track(open, client, upstream);
    client.pipe(upstream).pipe(client);
  });
  await listen(inner);
  const innerPort = (inner.address() as { port: number }).port;
  let tunnels = 0;
  const outer: Server = createServer((client) => {
    let head = "";
    const onData = (chunk: Buffer) => {
      head += chunk.toString("latin1");
      if (!head.includes("\r\n\r\n")) return;
      client.off("data", onData);
      tunnels++;
      const rest = Buffer.from(head.slice(head.indexOf("\r\n\r\n") + 4), "latin1");
      const relay = netConnect(innerPort, "127.0.0.1", () => {
        client.write("HTTP/1.1 200 Connection established\r\n\r\n");
        if (rest.length > 0) relay.write(rest);
        client.pipe(relay).pipe(client);
      });
      track(open, client, relay);
    };
    client.on("data", onData);
  });
  await listen(outer);
  const port = (outer.address() as { port: number }).port;
  return {
    port,
    ca,
    url: `http://127.0.0.1:${port}`,
    get tunnels() {
      return tunnels;
    },
    async stop() {
      for (const socket of open) socket.destroy();
      await Promise.all([outer, inner].map((server) => new Promise((resolve) => server.close(resolve))));
    },
  };
}

function track(open: Set<Socket>, ...sockets: Socket[]) {
  for (const socket of sockets) {
    open.add(socket);
    socket.on("error", () => sockets.forEach((s) => s.destroy()));
    socket.on("close", () => {
      open.delete(socket);
      sockets.forEach((s) => s.destroy());
    });
  }
}

function listen(server: Server | TlsServer): Promise<void> {
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
}
