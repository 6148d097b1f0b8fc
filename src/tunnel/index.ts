/** @module The tunnel: stream multiplexer, handshake, WebSocket adapters and reconnect backoff. */
export * from "./errors.ts";
export type { FrameTransport } from "./frame-transport.ts";
export type { Connection, ConnectionListener } from "./connection.ts";
export { systemClock, type Clock } from "./clock.ts";
export { Session, DEFAULT_KEEPALIVE, type SessionOptions, type KeepaliveOptions, type TunnelLogger } from "./session.ts";
export { Stream } from "./stream.ts";
export { ReplyBody, type Gathered, type ReplyReader } from "./reply.ts";
export { attachSession } from "./attach.ts";
export { agentHandshake, gatewayHandshake } from "./handshake.ts";
export type { AgentHandshakeOptions, AgentHandshakeResult, GatewayHandshakeOptions, GatewayHandshakeResult } from "./handshake.ts";
export { connectWebSocket, type WebSocketConnectOptions } from "./websocket-client.ts";
export { ServerWebSocketConnection } from "./websocket-server.ts";
export { createMemoryPair, type MemoryPair } from "./memory-connection.ts";
export { Backoff, type BackoffOptions } from "./backoff.ts";
