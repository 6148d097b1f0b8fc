/**
 * @module
 * Where agents connect: the WebSocket at `/v1/agent/connect`. Runs the gateway side of
 * the handshake (fresh challenge, signature check against the registered key, agent
 * standing, the group's allowed addresses), then registers the session with the
 * registry until it ends. Refusals close with a 4xxx code and a reason the agent logs.
 */
import type { ServerWebSocket } from "bun";
import { verify } from "../crypto/identity.ts";
import type { Logger } from "../log/logger.ts";
import { CloseCode, GoAwayCode } from "../protocol/index.ts";
import {
  DEFAULT_KEEPALIVE, ServerWebSocketConnection, attachSession, gatewayHandshake, type KeepaliveOptions, type Session,
} from "../tunnel/index.ts";
import { ipInCidrs } from "./auth/cidr.ts";
import type { TunnelMetrics } from "./metrics-tunnel.ts";
import type { AgentRegistry, LiveAgent } from "./registry.ts";
import type { AgentRecord, GatewayStore } from "./store/store.ts";


export interface AgentSocketData {
  remoteIp: string;
  link?: ServerWebSocketConnection;
}

export interface AgentEndpointOptions {
  store: GatewayStore;
  registry: AgentRegistry;
  /** Host names (with port) agents may dial; part of what they sign. */
  hosts: () => readonly string[];
  log: Logger;
  /** Defaults to `DEFAULT_KEEPALIVE` (dead link caught within 5 s). */
  keepalive?: KeepaliveOptions;
  /** Counts sessions accepted, ended and refused. Defaults to none. */
  metrics?: TunnelMetrics;
}

type Verdict = { ok: true; record: AgentRecord; groupName: string } | { ok: false; closeCode: number; reason: string };

export class AgentEndpoint {
  readonly #options: AgentEndpointOptions;

  constructor(options: AgentEndpointOptions) {
    this.#options = options;
  }

  /** Bun.serve `websocket` handlers; pair with `server.upgrade(request, { data: { remoteIp } })`. */
  get handlers() {
    return {
      maxPayloadLength: 16 * 1024 * 1024,
      backpressureLimit: 16 * 1024 * 1024,
      // The tunnel pings every 1.5 s, so a link silent this long is dead anyway.
      idleTimeout: 60,
      open: (ws: ServerWebSocket<AgentSocketData>) => {
        const link = new ServerWebSocketConnection(ws as ServerWebSocket<unknown>);
        ws.data.link = link;
        void this.#accept(link, ws.data.remoteIp).catch((error) =>
          this.#options.log.error("agent connection failed while being set up", { remoteIp: ws.data.remoteIp, error }));
      },
      message: (ws: ServerWebSocket<AgentSocketData>, message: string | Buffer) => ws.data.link?.handleMessage(message),
      drain: (ws: ServerWebSocket<AgentSocketData>) => ws.data.link?.handleDrain(),
      close: (ws: ServerWebSocket<AgentSocketData>, code: number, reason: string) => ws.data.link?.handleClose(code, reason),
    };
  }

  async #accept(link: ServerWebSocketConnection, remoteIp: string): Promise<void> {
    const { store, registry, log } = this.#options;
    let record: AgentRecord | undefined;
    let groupName = "";
    let handshake;
    try {
      handshake = await gatewayHandshake(link, {
        hosts: this.#options.hosts(),
        keepalive: this.#options.keepalive ?? DEFAULT_KEEPALIVE,
        verify: async (agentId, publicKey, transcript, signature, auth) => {
          const verdict = await this.#verify(agentId, publicKey, transcript, signature, remoteIp, auth.replaces);
          if (verdict.ok) ({ record, groupName } = verdict);
          return verdict.ok ? { ok: true } : verdict;
        },
      });
    } catch (error) {
      const closeCode = (error as { closeCode?: number }).closeCode;
      this.#options.metrics?.refused(closeCode);
      log.warn("agent refused", { remoteIp, reason: (error as Error).message, closeCode });
      return;
    }
    if (!record) return;
    const agent = record;
    const { auth } = handshake;
    // `session` is read by onClose, which may run inside attachSession (the link closed
    // while it was being verified).
    let session!: Session;
    let counted = false; // a session that closed before it was registered was never counted as connected
    session = attachSession(link, {
      role: "gateway",
      maxFrameSize: handshake.maxFrame,
      keepalive: handshake.keepalive,
      logger: log.child("tunnel").with({ agent: agent.name }),
      onClose: (error) => {
        registry.remove(agent.id, session);
        if (counted) this.#options.metrics?.disconnected(groupName, agent.id, error);
        log.info("agent disconnected", { agent: agent.name, agentId: agent.id, reason: error?.message ?? "closed" });
      },
    });
    if (session.closed) return;
    const live: LiveAgent = {
      agentId: agent.id,
      agentName: agent.name,
      groupId: agent.groupId,
      session,
      sessionId: handshake.sessionId,
      remoteIp,
      connectedSince: Date.now(),
      info: auth.info,
      publicKey: auth.publicKey,
      inFlight: 0,
      enabled: agent.status === "enabled",
    };
    const previous = registry.add(live);
    this.#options.metrics?.connected(groupName, agent.id, previous !== undefined && previous.sessionId === auth.replaces);
    counted = true;
    // The agent asked for this handover (make-before-break): its old session stops taking
    // requests only now that this one is routable, and finishes the ones it has.
    if (previous && previous.sessionId === auth.replaces) previous.session.goAway(GoAwayCode.NORMAL, "replaced by the agent's new connection");
    else previous?.session.goAway(GoAwayCode.POLICY, "replaced by a newer connection of this agent");
    log.info("agent connected", { agent: agent.name, agentId: agent.id, remoteIp, version: auth.info.version, profiles: auth.info.profiles.length });
    if (agent.previousPublicKey && auth.publicKey === agent.publicKey) await store.completeKeyRotation(agent.id);
    await store.recordAgentSeen(agent.id, { ...auth.info });
  }

  async #verify(
    agentId: string, publicKey: string, transcript: Uint8Array, signature: Uint8Array, remoteIp: string, replaces?: string,
  ): Promise<Verdict> {
    const { store, registry } = this.#options;
    const record = await store.getAgent(agentId);
    if (!record) return { ok: false, closeCode: CloseCode.UNKNOWN_AGENT, reason: "unknown agent: it was removed or never added; activate it again" };
    if (record.publicKey === null) return { ok: false, closeCode: CloseCode.UNKNOWN_AGENT, reason: "agent is not activated yet" };
    if (publicKey !== record.publicKey && publicKey !== record.previousPublicKey) {
      return { ok: false, closeCode: CloseCode.REVOKED, reason: "this key is not (or no longer) registered for the agent" };
    }
    if (!(await verify(publicKey, transcript, signature))) {
      return { ok: false, closeCode: CloseCode.BAD_SIGNATURE, reason: "signature does not verify" };
    }
    if (record.status === "disabled") return { ok: false, closeCode: CloseCode.DISABLED, reason: "agent is disabled" };
    const group = await store.getGroup(record.groupId);
    const cidrs = group?.settings.allowedCidrs ?? [];
    if (cidrs.length > 0 && !ipInCidrs(remoteIp, cidrs)) {
      return { ok: false, closeCode: CloseCode.ADDRESS_NOT_ALLOWED, reason: `address ${remoteIp} is not allowed for group ${group?.name}` };
    }
    const current = registry.get(agentId);
    // A session that is going away (the agent is moving to a new connection, or the gateway
    // asked it to), or that this connection names as the one it replaces (only the agent
    // holding it was told its id), makes room at once; a live one keeps its place against a
    // second claimant.
    const handover = current !== undefined && replaces !== undefined && current.sessionId === replaces;
    if (current && !handover && !current.session.closed && !current.session.goingAway && (await stillAlive(current.session))) {
      return { ok: false, closeCode: CloseCode.DUPLICATE_CONNECTION, reason: "another connection of this agent is live" };
    }
    return { ok: true, record, groupName: group?.name ?? record.groupId };
  }
}

/** A live session answers a ping quickly; a half-open one left by a restarted agent does not. */
async function stillAlive(session: Session): Promise<boolean> {
  const timeout = new Promise<false>((resolve) => setTimeout(() => resolve(false), 1000));
  return await Promise.race([session.ping().then(() => true, () => false), timeout]);
}
