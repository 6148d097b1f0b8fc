/**
 * @module
 * What the admin API needs from the agent registry (the lead's code implements it): the
 * live state of a connected agent. The store knows only `awaiting_setup | enabled |
 * disabled`; whether an enabled agent is `active` or `no_response` lives here.
 */
import type { AgentInfo } from "../store/store.ts";

export interface LiveAgentStatus {
  state: "active" | "no_response";
  remoteIp: string;
  /** Epoch ms when the current connection was established. */
  connectedSince: number;
  /** Epoch ms the connection was last known alive (refreshed every 30 s by default; see `LastSeenRecorder`). */
  lastSeenAt?: number;
  /** Requests currently being served by this agent. */
  inFlight: number;
  /** What the agent reported on this connection; preferred over the stored copy. */
  info?: AgentInfo;
}

/** How a group's connected agents disagree about their profiles. */
export interface GroupDrift {
  /** Profile name → the distinct settings hashes its agents report, for profiles where they differ. */
  settings: Record<string, string[]>;
  /** Profile name → the agents offering it, for profiles some connected agents lack (they have no failover). */
  onlyOn: Record<string, string[]>;
}

export interface LiveAgents {
  /** `undefined` when the agent has no connection. */
  status(agentId: string): LiveAgentStatus | undefined;
  /** Epoch ms this gateway saw the agent's last connection end; `undefined` while connected or when not seen since start. */
  disconnectedAt?(agentId: string): number | undefined;
  /** How the group's connected agents disagree about their profiles. */
  drift?(groupId: string): GroupDrift;
}
