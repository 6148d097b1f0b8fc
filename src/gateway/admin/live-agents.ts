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
  /** Requests currently being served by this agent. */
  inFlight: number;
  /** What the agent reported on this connection; preferred over the stored copy. */
  info?: AgentInfo;
}

export interface LiveAgents {
  /** `undefined` when the agent has no connection. */
  status(agentId: string): LiveAgentStatus | undefined;
  /** Profiles of the group whose configuration differs between its connected agents. */
  drift?(groupId: string): Record<string, string[]>;
}
