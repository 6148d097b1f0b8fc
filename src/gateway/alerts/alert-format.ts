/**
 * @module
 * Webhook bodies. The generic body is the alert as JSON (times as ISO strings); the
 * Slack body is `{text}` with the summary and one line per agent, which Slack incoming
 * webhooks and the Slack-compatible ones (Mattermost, Rocket.Chat, Teams' Slack mode)
 * accept. A URL on `hooks.slack.com`, or with `?format=slack`, gets the Slack body.
 */
import type { Alert } from "./alert-types.ts";

export type WebhookFormat = "json" | "slack";

/** The format a webhook URL asks for, and the URL to POST to (without our `format` parameter). */
export function webhookTarget(url: string): { url: string; format: WebhookFormat } {
  const parsed = new URL(url);
  const asked = parsed.searchParams.get("format");
  parsed.searchParams.delete("format");
  const format = asked === "slack" || (asked === null && parsed.hostname === "hooks.slack.com") ? "slack" : "json";
  return { url: parsed.toString(), format };
}

/** `https://hooks.slack.com/…`: enough to tell webhooks apart, nothing of a secret path or query. */
export function redactWebhook(url: string): string {
  const parsed = new URL(url);
  return parsed.pathname === "/" && !parsed.search ? parsed.origin + "/" : `${parsed.origin}/…`;
}

export function alertBody(alert: Alert, format: WebhookFormat): unknown {
  if (format === "slack") {
    const lines = alert.agents.map((agent) => `• ${agent.name}${agent.version ? ` (${agent.version})` : ""}${agent.remoteIp ? ` from ${agent.remoteIp}` : ""}`);
    return { text: [`:warning: *Outpost* — ${alert.summary}`, ...lines].join("\n") };
  }
  return {
    source: "outpost",
    event: alert.event,
    group: alert.group,
    at: new Date(alert.at).toISOString(),
    summary: alert.summary,
    agents: alert.agents.map((agent) => ({
      ...agent,
      disconnectedAt: agent.disconnectedAt === undefined ? undefined : new Date(agent.disconnectedAt).toISOString(),
    })),
    details: alert.details ?? {},
  };
}
