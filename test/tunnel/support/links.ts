/**
 * @module
 * The two links every session test runs over: an in-memory pair and a real loopback TLS
 * WebSocket (Bun.serve with a throwaway CA, Bun's WebSocket client trusting it).
 */
import { HEADER_SIZE, MAX_MAX_FRAME } from "../../../src/protocol/index.ts";
import type { Connection } from "../../../src/tunnel/connection.ts";
import { createMemoryPair } from "../../../src/tunnel/memory-connection.ts";
import { connectWebSocket } from "../../../src/tunnel/websocket-client.ts";
import { ServerWebSocketConnection } from "../../../src/tunnel/websocket-server.ts";
import { createTestCa, type TestCa, type TestCert } from "../../support/certs.ts";

export interface LinkPair {
  gateway: Connection;
  agent: Connection;
  /** Drops everything from now on without closing; only the in-memory link can. */
  blackhole?: () => void;
  stop(): void;
}

export interface LinkKind {
  name: string;
  create(): Promise<LinkPair>;
}

export const memoryLink: LinkKind = {
  name: "memory",
  async create() {
    const pair = createMemoryPair();
    return { gateway: pair.gateway, agent: pair.agent, blackhole: pair.blackhole, stop() {} };
  },
};

let tls: { ca: TestCa; cert: TestCert } | undefined;

/** Starts a TLS WebSocket server on a free loopback port and dials it once. */
export async function createWebSocketPair(): Promise<LinkPair & { url: string }> {
  tls ??= (() => {
    const ca = createTestCa();
    return { ca, cert: ca.issue("localhost") };
  })();
  let accept!: (link: ServerWebSocketConnection) => void;
  const accepted = new Promise<ServerWebSocketConnection>((resolve) => (accept = resolve));
  type Data = { link?: ServerWebSocketConnection };
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    tls: { cert: tls.cert.certPem, key: tls.cert.keyPem },
    fetch(request, srv) {
      return srv.upgrade(request, { data: {} as Data }) ? undefined : new Response("upgrade required", { status: 426 });
    },
    websocket: {
      data: {} as Data,
      maxPayloadLength: MAX_MAX_FRAME + HEADER_SIZE,
      open(ws) {
        ws.data.link = new ServerWebSocketConnection(ws);
        accept(ws.data.link);
      },
      message(ws, message) {
        ws.data.link?.handleMessage(message as Uint8Array);
      },
      drain(ws) {
        ws.data.link?.handleDrain();
      },
      close(ws, code, reason) {
        ws.data.link?.handleClose(code, reason);
      },
    },
  });
  const url = `wss://localhost:${server.port}/v1/connect`;
  const agent = await connectWebSocket(url, { ca: tls.ca.certPem });
  const gateway = await accepted;
  return { gateway, agent, url, stop: () => server.stop(true) };
}

export const webSocketLink: LinkKind = { name: "tls-websocket", create: createWebSocketPair };

export const LINKS: LinkKind[] = [memoryLink, webSocketLink];
