/**
 * @module
 * What an alert says and what the gateway remembers of sending it. The alert rules
 * (`alert-monitor.ts`) make `Alert`s; the sender (`alert-sender.ts`) turns each into one
 * POST per webhook of the group and keeps a `Delivery` per POST for the console.
 */

export type AlertEvent = "agent_disconnected" | "group_degraded" | "group_inactive" | "group_recovered" | "agent_outdated" | "drift_detected";

/** An agent an alert is about. */
export interface AlertAgent {
  name: string;
  remoteIp?: string;
  version?: string;
  /** Epoch ms the connection ended (disconnect alerts). */
  disconnectedAt?: number;
}

export interface Alert {
  event: AlertEvent;
  /** The group's name. */
  group: string;
  /** Epoch ms. */
  at: number;
  /** One line a person can read in a chat channel. */
  summary: string;
  agents: AlertAgent[];
  /** Event-specific facts: `newestVersion`, `profiles` and `onlyOn` (drift), `graceMs`, `enabledAgents` and `activeAgents` (degraded). */
  details?: Record<string, unknown>;
}

export type DeliveryStatus = "pending" | "delivered" | "failed";

/** One webhook POST of one alert, retries included. */
export interface Delivery {
  id: string;
  group: string;
  event: AlertEvent;
  summary: string;
  /** The webhook with its path hidden (Slack puts its secret there). */
  target: string;
  format: "json" | "slack";
  status: DeliveryStatus;
  attempts: number;
  /** Status of the last answer; `null` when none came (network error, timeout). */
  httpStatus: number | null;
  /** Why the last attempt failed, if it did. */
  error: string | null;
  /** Epoch ms. */
  createdAt: number;
  finishedAt: number | null;
}
