/**
 * @module
 * The pieces behind the console that live as long as the gateway: the request history
 * (rates and chart), the event hub (live updates), and the alert sender and rules. The
 * gateway server builds them once with `startConsoleServices` and stops them first when
 * it stops, so agents told to leave are not reported as outages.
 */
import type { Logger } from "../../log/logger.ts";
import { AlertMonitor, type AlertSettings } from "../alerts/alert-monitor.ts";
import { AlertSender, type AlertSenderOptions } from "../alerts/alert-sender.ts";
import { EventHub, type EventHubOptions } from "../events.ts";
import { matchInvokePath } from "../invoke/parse.ts";
import type { Outcome } from "../metrics.ts";
import type { AgentRegistry } from "../registry.ts";
import type { GatewayStore } from "../store/store.ts";
import { RequestHistory } from "./request-history.ts";

export interface ConsoleServicesOptions {
  registry: AgentRegistry;
  store: GatewayStore;
  log: Logger;
  /** Alert rules' knobs (grace period, coalescing, version margin); see `AlertSettings` for defaults. */
  alerts?: AlertSettings & Pick<AlertSenderOptions, "attempts" | "baseDelayMs" | "maxDelayMs" | "timeoutMs">;
  events?: EventHubOptions;
}

export interface ConsoleServices {
  readonly history: RequestHistory;
  readonly events: EventHub;
  readonly alerts: AlertSender;
  /** For `GatewayMetrics({ observe })`: feeds the history. */
  observe(group: string, op: string, outcome: Outcome, seconds: number): void;
  /** Tells open consoles that an admin call changed something (any successful non-GET outside the invoke API). */
  noticeResponse(request: Request, url: URL, response: Response): void;
  stop(): Promise<void>;
}

export function startConsoleServices(options: ConsoleServicesOptions): ConsoleServices {
  const { registry, store, log } = options;
  const history = new RequestHistory();
  // Admin-only streams: a token that is gone or revoked (or, were scopes ever edited, no
  // longer admin) may not keep reading.
  const events = new EventHub({
    tokenValid: async (tokenId) => {
      const token = await store.getApiToken(tokenId);
      return token !== undefined && token.revokedAt === null && token.admin;
    },
    ...options.events,
  });
  const alerts = new AlertSender({
    ...options.alerts,
    log,
    onDelivery: (delivery) => events.publish({ type: "alert", group: delivery.group, event: delivery.event, status: delivery.status }),
  });
  const monitor = new AlertMonitor({ ...options.alerts, registry, store, sender: alerts, log });
  const unsubscribe = registry.subscribe(({ type, agent }) =>
    events.publish({ type: "agent", change: type, group: agent.groupId, agent: agent.agentName }));
  return {
    history,
    events,
    alerts,
    observe: (group, _op, outcome, seconds) => history.record(group, outcome, seconds),
    noticeResponse(request, url, response) {
      if (request.method === "GET" || request.method === "HEAD" || response.status >= 400) return;
      if (url.pathname.startsWith("/v1/admin/tokens")) void events.recheckTokens();
      if (!url.pathname.startsWith("/v1/") || matchInvokePath(url.pathname) || url.pathname.startsWith("/v1/admin/events")) return;
      events.publish({ type: "admin", method: request.method, path: url.pathname });
    },
    async stop() {
      unsubscribe();
      monitor.stop();
      events.close();
      await alerts.stop();
    },
  };
}
