/**
 * @module
 * `--data-dir` mode of the admin commands: on the gateway's host, the same admin API
 * answered in-process on the gateway's store file. The admin client's `fetch` goes
 * straight into the gateway's route table (`handleAdminRequest`), so both modes share one
 * code path: the same validation, the same refusals, the same JSON with ISO times.
 *
 * The store knows no live state beyond the presence the running gateway writes into it
 * (`PRESENCE_SETTING`: who is connected, refreshed every 30 s and within half a second of
 * a connect or disconnect). Answers are rewritten from it: an enabled agent the presence
 * lists is `active`, and a group's status and active count follow from its agents' (a
 * presence older than 75 s means the gateway has stopped: nobody is connected).
 *
 * The store is never created here: a folder that does not exist, or holds no gateway.db,
 * is an error naming it (only `gateway serve` makes a new store). The caller is the local
 * user, with admin rights, named `local:<user>` in what the handlers record.
 *
 * `--store postgres://…` does the same on a PostgreSQL store (migrated on open, as
 * `gateway serve` does, so the first admin token can be made before the first node
 * starts); there is no data folder, so its audit lines go to stderr.
 */
import { existsSync, statSync } from "node:fs";
import { userInfo } from "node:os";
import { join, resolve } from "node:path";
import type { FetchLike } from "../client/transport.ts";
import { createAdminContext } from "../gateway/admin/context.ts";
import { localAudit, type LocalAudit } from "../gateway/admin/local-audit.ts";
import { handleAdminRequest } from "../gateway/admin/routes.ts";
import { Authenticator, type Principal } from "../gateway/auth/authenticator.ts";
import { groupStatus, PRESENCE_SETTING, storedAgentStatus, type StoredPresence } from "../gateway/status.ts";
import { GATEWAY_DB_FILE, openGatewayStore } from "../gateway/store/open-gateway-store.ts";
import { isPostgresUrl, redactStoreUrl } from "../gateway/store/postgres-url.ts";
import type { GatewayStore } from "../gateway/store/store.ts";
import { createLogger, silentLogger } from "../log/logger.ts";
import { PUBLIC_URL_SETTING } from "./commands/gateway-shared.ts";
import { UsageError } from "./errors.ts";

/** Whoever can open the store file is its admin; the name says who acted. */
class LocalAuthenticator extends Authenticator {
  readonly #principal: Principal;

  constructor(store: GatewayStore) {
    super({ store, log: silentLogger });
    this.#principal = { tokenId: "local", name: `local:${localUser()}`, admin: true, groups: null };
  }

  override async authenticate(): Promise<Principal> {
    return this.#principal;
  }
}

function localUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? process.env.USERNAME ?? `uid ${process.getuid?.() ?? "?"}`;
  }
}

type Json = Record<string, unknown>;

/** Replaces the live fields with what the gateway's presence says (see the module comment). */
async function storedView(body: Json, store: GatewayStore): Promise<Json> {
  const presence = (await store.getSetting(PRESENCE_SETTING)) as StoredPresence | undefined;
  const connected = (id: unknown) => storedAgentStatus({ id, status: "enabled" } as never, presence) === "active";
  const agent = (value: Json) => ({ ...value, status: value.status === "no_response" && connected(value.id) ? "active" : value.status });
  const group = async (value: Json) => {
    const statuses = (await store.listAgents(String(value.id))).map((record) => storedAgentStatus(record, presence));
    const enabledAgents = statuses.filter((status) => status === "active" || status === "no_response").length;
    return { ...value, status: groupStatus(statuses), enabledAgents, activeAgents: statuses.filter((status) => status === "active").length };
  };
  const out: Json = { ...body };
  if (body.agent) out.agent = agent(body.agent as Json);
  if (Array.isArray(body.agents)) out.agents = (body.agents as Json[]).map(agent);
  if (body.group && typeof body.group === "object") out.group = await group(body.group as Json);
  if (Array.isArray(body.groups)) out.groups = await Promise.all((body.groups as Json[]).map(group));
  return out;
}

/** Refuses a `--data-dir` that is not a gateway's data folder, creating nothing. */
export function checkDataDir(dataDir: string): string {
  const folder = resolve(dataDir);
  if (!existsSync(folder)) throw new UsageError(`--data-dir ${folder} does not exist; give the folder of the gateway's gateway.db`);
  if (!statSync(folder).isDirectory()) throw new UsageError(`--data-dir ${folder} is not a folder`);
  if (!existsSync(join(folder, GATEWAY_DB_FILE))) {
    throw new UsageError(`--data-dir ${folder} holds no ${GATEWAY_DB_FILE}; give the folder the gateway was started with (\`outpost gateway serve --data-dir\`)`);
  }
  return folder;
}

export interface LocalAdmin {
  /** Answers admin API requests on the store, as the gateway would. */
  fetch: FetchLike;
  /** The folder, or the store URL without its password, for messages. */
  where: string;
  close(): Promise<void>;
}

/** Opens the store in `dataDir` (which must already hold one) for one command. */
export async function openLocalAdmin(dataDir: string): Promise<LocalAdmin> {
  const folder = checkDataDir(dataDir);
  return storeAdmin(await openGatewayStore(folder), localAudit(folder), dataDir);
}

/** Opens the PostgreSQL store at `url` for one command. */
export async function openStoreAdmin(url: string): Promise<LocalAdmin> {
  if (!isPostgresUrl(url)) throw new UsageError(`--store takes postgres://…, not ${redactStoreUrl(url)}`);
  const store = await openGatewayStore("", { storeUrl: url });
  const log = createLogger("audit", { format: "json" });
  const audit = { sink: (action: string, fields: Record<string, unknown>) => log.info(action, { actor: `local:${localUser()}`, via: "cli", ...fields }), close() {} };
  return storeAdmin(store, audit, redactStoreUrl(url));
}

async function storeAdmin(store: GatewayStore, audit: LocalAudit, where: string): Promise<LocalAdmin> {
  const recorded = await store.getSetting(PUBLIC_URL_SETTING);
  const ctx = createAdminContext({
    store,
    live: { status: () => undefined },
    publicUrl: typeof recorded === "string" ? recorded : "<gateway-url>",
    log: silentLogger,
    auth: new LocalAuthenticator(store),
  });
  ctx.localAudit = audit.sink;
  let requests = 0;
  return {
    where,
    async fetch(input, init) {
      const request = new Request(input, init);
      const answer = await handleAdminRequest(request, ctx, { requestId: `local-${process.pid}-${++requests}`, remoteIp: "local" });
      if (!answer) return Response.json({ error: { code: "NOT_FOUND", message: `no admin route ${request.method} ${new URL(input).pathname}`, retryable: false } }, { status: 404 });
      if (!answer.ok) return answer;
      return Response.json(await storedView((await answer.json()) as Json, store), { status: answer.status, headers: { "x-request-id": answer.headers.get("x-request-id") ?? "" } });
    },
    close: () => {
      audit.close();
      return store.close();
    },
  };
}
