/**
 * @module
 * The optional local health endpoint for service managers and container probes
 * (`agent.health` in config.yml, off by default, loopback only): `/live` answers while the
 * process runs; `/ready` answers 200 only while the agent is connected to its gateway;
 * `/metrics` answers Prometheus text (metrics.ts). Loopback only, so it takes no token.
 */
import type { Server } from "bun";
import { PROMETHEUS_CONTENT_TYPE } from "../log/prometheus-text.ts";

export interface HealthServerOptions {
  port: number;
  /** Must be a loopback address. Defaults to `127.0.0.1`. */
  host?: string;
  ready: () => { ready: boolean; state: string; inFlight: number };
  /** The text `/metrics` answers; without it `/metrics` is a 404. */
  metrics?: () => string;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

export function startHealthServer(options: HealthServerOptions): Server<undefined> {
  const host = options.host ?? "127.0.0.1";
  if (!LOOPBACK.test(host)) throw new Error(`agent.health.host must be a loopback address, not "${host}"`);
  return Bun.serve({
    hostname: host,
    port: options.port,
    fetch(request) {
      const path = new URL(request.url).pathname;
      if (path === "/live") return Response.json({ status: "alive" });
      if (path === "/ready") {
        const status = options.ready();
        return Response.json(status, { status: status.ready ? 200 : 503 });
      }
      if (path === "/metrics" && options.metrics) return new Response(options.metrics(), { headers: { "content-type": PROMETHEUS_CONTENT_TYPE } });
      return Response.json({ error: "not found" }, { status: 404 });
    },
  });
}
