/**
 * @module
 * The gateway process: one `Bun.serve` that upgrades agents at `/v1/agent/connect` and
 * answers callers on the HTTP API (health, metrics, admin, invoke). It wires the store,
 * the registry, the router and the handlers; each of those lives in its own file.
 */
import type { Server } from "bun";
import type { Logger } from "../log/logger.ts";
import { PROMETHEUS_CONTENT_TYPE } from "../log/prometheus-text.ts";
import { AGENT_CONNECT_PATH, GoAwayCode, ROTATE_KEY_PATH } from "../protocol/index.ts";
import { createAdminContext, type AdminContext } from "./admin/context.ts";
import { handleAdminRequest } from "./admin/routes.ts";
import { AccessLog } from "./access-log.ts";
import { AgentEndpoint, type AgentSocketData } from "./agent-endpoint.ts";
import { Authenticator, canUseGroup } from "./auth/authenticator.ts";
import { GatewayError, errorResponse, jsonResponse } from "./http-errors.ts";
import { handleInvoke } from "./invoke/handler.ts";
import { matchInvokePath } from "./invoke/parse.ts";
import { GatewayMetrics } from "./metrics.ts";
import { MetricsInventory } from "./metrics-inventory.ts";
import { AgentRegistry } from "./registry.ts";
import { LastSeenRecorder } from "./last-seen.ts";
import { handleRotateKey } from "./rotate-key.ts";
import { RolloutRunner, type RolloutTimeouts } from "./rollout.ts";
import { Router } from "./router.ts";
import { StoreReadCache } from "./store/read-cache.ts";
import type { GatewayStore } from "./store/store.ts";
import { openapiDocument } from "./console/console-assets.ts";
import { consoleRoutes, handleConsoleRequest } from "./console/console-routes.ts";
import { startConsoleServices, type ConsoleServicesOptions } from "./console/console-services.ts";

export interface GatewayOptions {
  store: GatewayStore;
  log: Logger;
  /** Defaults to `127.0.0.1`. */
  hostname?: string;
  /** `0` picks a free port. Defaults to `8443`. */
  port?: number;
  /** PEM certificate and key; without them the gateway speaks plain HTTP (the CLI allows that only on loopback unless told). */
  tls?: { cert: string; key: string };
  /** The URL agents dial, e.g. `wss://gateway.example.com`. Defaults to the listening address. */
  publicUrl?: string;
  /** How often live agents are checked against the store (CLI changes) and rollouts started. Defaults to 5000 ms. */
  syncIntervalMs?: number;
  rolloutTimeouts?: Partial<RolloutTimeouts>;
  /** Deadlines of invoke requests: the default when a caller names none, and the most a caller may ask for. */
  timeouts?: { defaultTimeoutMs?: number; maxTimeoutMs?: number };
  /** Alert rules and delivery (grace period before a disconnect is reported, retries); defaults in `AlertSettings` and `AlertSenderOptions`. */
  alerts?: ConsoleServicesOptions["alerts"];
  /** Reported by `outpost_build_info`. Defaults to `"unknown"`. */
  version?: string;
  /** How often connected agents' `lastSeenAt` is refreshed in the store. Defaults to 30,000 ms. */
  lastSeenIntervalMs?: number;
}

export interface RunningGateway {
  readonly url: string;
  readonly publicUrl: string;
  readonly port: number;
  readonly registry: AgentRegistry;
  readonly router: Router;
  /** Tells every agent to reconnect elsewhere (RESTARTING), waits for in-flight requests up to `graceMs`, then stops. */
  stop(options?: { graceMs?: number }): Promise<void>;
}

export function startGateway(options: GatewayOptions): RunningGateway {
  const { store, log } = options;
  const registry = new AgentRegistry();
  const reads = new StoreReadCache({ store });
  const lastSeen = new LastSeenRecorder({ registry, store, log: log.child("gateway"), intervalMs: options.lastSeenIntervalMs });
  const live = startConsoleServices({ registry, store, log: log.child("gateway"), alerts: options.alerts });
  const metrics = new GatewayMetrics({ version: options.version, tlsCert: options.tls?.cert, observe: live.observe, alertDeliveries: () => live.alerts.outcomes });
  const auth = new Authenticator({ store, cache: reads, log: log.child("gateway"), onFailure: (reason) => metrics.authFailed(reason) });
  const inventory = new MetricsInventory({ registry, store });
  const consoleTable = consoleRoutes(live);
  const access = new AccessLog({ log: log.child("access"), recorder: live.history });
  const router = new Router({ registry });
  const invokeDeps = { auth, reads, router, metrics, access, log: log.child("gateway"), ...options.timeouts };
  let publicUrl = options.publicUrl ?? "";
  let hosts: string[] = [];
  const endpoint = new AgentEndpoint({ store, registry, hosts: () => hosts, log: log.child("gateway"), metrics: metrics.tunnel });
  // Built once the server listens: the public URL may depend on the port it got.
  let admin: AdminContext;

  /**
   * Brings a live session in line with the store: a disabled agent takes no new requests
   * and is asked to leave (in-flight ones finish); a removed or re-keyed one is dropped.
   * Called at once by the admin API, and for every agent every few seconds so changes
   * made with the CLI (or by another gateway node) apply too.
   */
  async function applyAgentChange(agentId: string) {
    const live = registry.get(agentId);
    if (!live) return;
    const record = await store.getAgent(agentId);
    if (registry.get(agentId) !== live) return; // reconnected meanwhile: the next sync looks at the new session
    const keyAccepted = record && (record.publicKey === live.publicKey || record.previousPublicKey === live.publicKey);
    if (record?.status === "enabled" && keyAccepted) return registry.setEnabled(agentId, true);
    registry.setEnabled(agentId, false);
    if (live.session.goingAway) return;
    const reason = !record ? "agent removed" : !keyAccepted ? "agent key replaced" : "agent disabled";
    log.info("asking agent to leave", { agent: live.agentName, reason });
    live.session.goAway(GoAwayCode.POLICY, reason);
  }
  // The agent may have been disabled or removed while it was being verified. (Drift between
  // a group's agents is logged and alerted once per change by the AlertMonitor.)
  registry.subscribe((event) => {
    if (event.type !== "connected") return;
    void applyAgentChange(event.agent.agentId).catch((error) => log.warn("agent sync failed", { error }));
  });
  const rollouts = new RolloutRunner({ store, registry, log: log.child("gateway"), timeouts: options.rolloutTimeouts });
  const syncAgents = () => {
    for (const agent of registry.all()) void applyAgentChange(agent.agentId).catch((error) => log.warn("agent sync failed", { error }));
  };
  const syncTimer = setInterval(() => {
    syncAgents();
    void rollouts.tick().catch((error) => log.warn("rollout check failed", { error }));
  }, options.syncIntervalMs ?? 5000);
  // A change made outside this process (the CLI disabling an agent) applies within half a
  // second (the store notices it within 200 ms), not at the next full sync.
  let seenVersion = store.changeVersion();
  const changeTimer = setInterval(() => {
    const version = store.changeVersion();
    if (version === seenVersion) return;
    seenVersion = version;
    syncAgents();
  }, 250);

  const server: Server<AgentSocketData> = Bun.serve<AgentSocketData>({
    hostname: options.hostname ?? "127.0.0.1",
    port: options.port ?? 8443,
    tls: options.tls,
    // Idle keep-alive connections close after two minutes. A request that is waiting for an
    // agent (a long query, a slow download) has no limit of its own: fetch() turns it off
    // per request.
    idleTimeout: 120,
    // Bun refuses bodies over 128 MiB by default with a bare 413; uploads stream to the agent
    // (which enforces its own limits), and every other body is capped by its handler.
    maxRequestBodySize: Number.MAX_SAFE_INTEGER,
    websocket: endpoint.handlers,
    fetch: async (request, server) => {
      const started = performance.now();
      const url = new URL(request.url);
      const requestId = request.headers.get("x-request-id")?.slice(0, 64) || crypto.randomUUID();
      const remoteIp = server.requestIP(request)?.address ?? "unknown";
      try {
        if (matchInvokePath(url.pathname)) server.timeout(request, 0);
        if (url.pathname === AGENT_CONNECT_PATH) {
          if (server.upgrade(request, { data: { remoteIp } })) return undefined;
          throw new GatewayError("BAD_REQUEST", "this path takes a WebSocket upgrade from an agent");
        }
        if (url.pathname === ROTATE_KEY_PATH && request.method === "POST") {
          return await handleRotateKey(request, { store, auth, remoteIp });
        }
        if (url.pathname === "/healthz") return jsonResponse({ status: "ok" });
        if (url.pathname === "/openapi.yaml") return openapiDocument();
        if (url.pathname === "/readyz") {
          await store.listGroups();
          return jsonResponse({ status: "ready", agents: registry.all().length });
        }
        if (url.pathname === "/metrics") {
          const principal = await auth.authenticate(request, remoteIp);
          const text = metrics.render(await inventory.groups(), (group) => canUseGroup(principal, group));
          return new Response(text, { headers: { "content-type": PROMETHEUS_CONTENT_TYPE } });
        }
        const info = { requestId, remoteIp };
        const response =
          (await handleInvoke(request, url, invokeDeps, info)) ??
          (await handleAdminRequest(request, admin, info)) ??
          (await handleConsoleRequest(request, url, consoleTable, admin, info));
        if (response) {
          live.noticeResponse(request, url, response);
          return response;
        }
        throw new GatewayError("NOT_FOUND", `no such endpoint: ${request.method} ${url.pathname}`);
      } catch (error) {
        const response = errorResponse(error, requestId, log);
        // Handlers above write their own lines; what lands here is refused before any (an unknown path, /metrics without a token).
        access.answered(AccessLog.begin(request, `${request.method} ${url.pathname.slice(0, 200)}`, { requestId, remoteIp }), response, started, error);
        return response;
      }
    },
  });

  const scheme = options.tls ? "https" : "http";
  const host = server.hostname === "::" || server.hostname === "0.0.0.0" ? "localhost" : server.hostname;
  const url = `${scheme}://${host?.includes(":") ? `[${host}]` : host}:${server.port}`;
  if (!publicUrl) publicUrl = url.replace(/^http/, "ws");
  const publicHost = new URL(publicUrl.replace(/^ws/, "http")).host;
  hosts = [...new Set([publicHost, `localhost:${server.port}`, `127.0.0.1:${server.port}`])];
  admin = createAdminContext({
    store,
    live: registry,
    auth,
    publicUrl,
    log: log.child("gateway"),
    access,
    onAgentChanged: (agentId) => void applyAgentChange(agentId).catch((error) => log.warn("agent sync failed", { error })),
  });
  log.info("gateway listening", { url, publicUrl });

  return {
    url,
    publicUrl,
    port: server.port ?? 0,
    registry,
    router,
    async stop({ graceMs = 10_000 } = {}) {
      clearInterval(syncTimer);
      clearInterval(changeTimer);
      await live.stop();
      for (const agent of registry.all()) agent.session.goAway(GoAwayCode.RESTARTING, "gateway restarting");
      const until = Date.now() + graceMs;
      while (registry.all().some((agent) => agent.inFlight > 0) && Date.now() < until) await Bun.sleep(50);
      for (const agent of registry.all()) agent.session.close();
      await lastSeen.stop();
      await server.stop(true);
    },
  };
}
