/**
 * @module
 * What every admin handler gets: the shared pieces the gateway builds once at start
 * (`AdminContext`, via `createAdminContext`) plus this request's id, source address and
 * path parameters.
 */
import type { Logger } from "../../log/logger.ts";
import type { AccessEntry, AccessLog } from "../access-log.ts";
import { Authenticator, type Principal } from "../auth/authenticator.ts";
import type { GatewayStore } from "../store/store.ts";
import { AdminService, type AuditSink } from "./admin-service.ts";
import type { LiveAgents } from "./live-agents.ts";

export interface AdminContext {
  service: AdminService;
  auth: Authenticator;
  live: LiveAgents;
  /** The URL agents dial (`wss://gateway.example.com`), put into activation commands. */
  publicUrl: string;
  log: Logger;
  /** The `audit` component: one line per change, with its actor (see audit.ts). */
  audit: Logger;
  /** Where each admin request's access line goes. Defaults to none. */
  access?: AccessLog;
  /**
   * Where changes are reported instead of the `audit` logger, with an actor of its own: the
   * CLI's `--data-dir` mode (`local-audit.ts`, the OS user, `<data-dir>/audit.log`).
   */
  localAudit?: AuditSink;
}

export interface RequestInfo {
  /** Echoed in every error body and the `x-request-id` header. */
  requestId: string;
  /** The caller's address; keys the failed-attempt limit. */
  remoteIp: string;
}

export interface HandlerContext extends AdminContext, RequestInfo {
  /** Path parameters, already URL-decoded (`:group` → `params.group`). */
  params: Record<string, string>;
  url: URL;
  /** This request's access line, written when the handler is done; handlers fill in what they learn. */
  entry: AccessEntry;
  /** The caller, once `authenticate` (audit.ts) has run. */
  principal?: Principal;
}

export type Handler = (request: Request, ctx: HandlerContext) => Promise<Response>;

export interface CreateAdminContextOptions {
  store: GatewayStore;
  live: LiveAgents;
  publicUrl: string;
  log: Logger;
  /** Defaults to none. */
  access?: AccessLog;
  /** Called when an agent is disabled, removed, re-activated or its group deleted: drop its connection. */
  onAgentChanged?: (agentId: string) => void;
  /** Defaults to a new Authenticator on `store` (pass the gateway's own to share its failure limit). */
  auth?: Authenticator;
  /** Injected for tests. Defaults to `Date.now`. */
  now?: () => number;
}

export function createAdminContext(options: CreateAdminContextOptions): AdminContext {
  return {
    service: new AdminService({ store: options.store, onAgentChanged: options.onAgentChanged, now: options.now }),
    auth: options.auth ?? new Authenticator({ store: options.store, log: options.log, now: options.now }),
    live: options.live,
    publicUrl: options.publicUrl,
    log: options.log,
    audit: options.log.child("audit"),
    access: options.access,
  };
}
