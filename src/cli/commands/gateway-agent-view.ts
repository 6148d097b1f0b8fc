/**
 * @module
 * How the CLI shows agents: the admin API's agent objects as a table (`-o wide` adds the
 * connection and host details) or one `key: value` line per field. Over the API the
 * status is the live one (`active`, `no_response`, …); with `--data-dir` it is what the
 * store knows (`awaiting_setup`, `enabled`, `disabled`).
 */
import type { Agent } from "../../client/admin-client.ts";
import { formatTable, type OutputFormat } from "./gateway-shared.ts";

function info(agent: Agent, key: string): string | undefined {
  const value = agent.info?.[key];
  if (Array.isArray(value)) return value.map((item) => (typeof item === "object" && item ? (item as { name?: string }).name : item)).join(",");
  return value === undefined || value === null ? undefined : String(value);
}

export function agentRows(agents: Agent[], format: OutputFormat = "table"): string {
  if (format !== "wide") {
    return formatTable(
      ["NAME", "STATUS", "LAST SEEN", "VERSION", "HOST"],
      agents.map((a) => [a.name, a.status, a.lastSeenAt, info(a, "version"), info(a, "hostname")]),
    );
  }
  return formatTable(
    ["NAME", "STATUS", "LAST SEEN", "VERSION", "HOST", "OS", "USER", "REMOTE IP", "CONNECTED SINCE", "IN FLIGHT", "PROFILES", "ID"],
    agents.map((a) => [
      a.name, a.status, a.lastSeenAt, info(a, "version"), info(a, "hostname"),
      [info(a, "os"), info(a, "arch")].filter(Boolean).join("/"), info(a, "user"),
      a.connection?.remoteIp, a.connection?.connectedSince, a.connection?.inFlight, info(a, "profiles"), a.id,
    ]),
  );
}

/** One `key: value` line per field, for `agent show`. */
export function agentLines(agent: Agent): string {
  const lines = Object.entries(agent).map(([key, value]) => `${key}: ${value === null ? "-" : typeof value === "object" ? JSON.stringify(value) : value}`);
  return `${lines.join("\n")}\n`;
}
