/** @module Test helper: an admin API over a real store in a temp folder, called with real Requests. */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createAdminContext, type AdminContext } from "../../../src/gateway/admin/context.ts";
import type { LiveAgentStatus } from "../../../src/gateway/admin/live-agents.ts";
import { handleAdminRequest } from "../../../src/gateway/admin/routes.ts";
import { openGatewayStore } from "../../../src/gateway/store/open-gateway-store.ts";
import type { GatewayStore } from "../../../src/gateway/store/store.ts";
import { silentLogger } from "../../../src/log/logger.ts";

export interface AdminFixture {
  store: GatewayStore;
  ctx: AdminContext;
  /** Live states the "registry" reports, by agent id. */
  live: Map<string, LiveAgentStatus>;
  changed: string[];
  adminToken: string;
  advance(ms: number): void;
  call(method: string, path: string, options?: { token?: string | null; body?: unknown; ip?: string }): Promise<{ status: number; body: any; headers: Headers }>;
}

export async function adminFixture(): Promise<AdminFixture> {
  let clock = 1_700_000_000_000;
  const now = () => clock;
  const store = await openGatewayStore(join(mkdtempSync(join(tmpdir(), "outpost-admin-")), "data"), { now });
  const live = new Map<string, LiveAgentStatus>();
  const changed: string[] = [];
  const ctx = createAdminContext({
    store,
    live: { status: (id) => live.get(id) },
    publicUrl: "wss://gw.example.test",
    log: silentLogger,
    onAgentChanged: (id) => changed.push(id),
    now,
  });
  const { secret: adminToken } = await ctx.service.createToken({ name: "root", admin: true });
  let requests = 0;
  return {
    store, ctx, live, changed, adminToken,
    advance: (ms) => (clock += ms),
    async call(method, path, options = {}) {
      const headers: Record<string, string> = {};
      const token = options.token === undefined ? adminToken : options.token;
      if (token !== null) headers.authorization = `Bearer ${token}`;
      const body = options.body === undefined ? undefined : typeof options.body === "string" ? options.body : JSON.stringify(options.body);
      const request = new Request(`http://gw.test${path}`, { method, headers, body });
      const response = await handleAdminRequest(request, ctx, { requestId: `req-${++requests}`, remoteIp: options.ip ?? "192.0.2.1" });
      if (!response) return { status: 0, body: undefined, headers: new Headers() };
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
    },
  };
}
