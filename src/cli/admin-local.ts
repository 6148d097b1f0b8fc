/**
 * @module
 * `--data-dir` mode of the admin commands: on the gateway's host, the same admin API
 * answered in-process on the gateway's store file. The admin client's `fetch` goes
 * straight into the gateway's route table (`handleAdminRequest`), so both modes share one
 * code path: the same validation, the same refusals, the same JSON with ISO times.
 *
 * The store knows no live state, so answers are rewritten to say what it does know: an
 * enabled agent is `enabled` (not `no_response`), a group's status is `unknown` and its
 * active count `null`; the running gateway's API has the live view.
 *
 * The store is never created here: a folder that does not exist, or holds no gateway.db,
 * is an error naming it (only `gateway serve` makes a new store). The caller is the local
 * user, with admin rights, named `local:<user>` in what the handlers record.
 */
import { existsSync, statSync } from "node:fs";
import { userInfo } from "node:os";
import { join, resolve } from "node:path";
import type { FetchLike } from "../client/transport.ts";
import { createAdminContext } from "../gateway/admin/context.ts";
import { handleAdminRequest } from "../gateway/admin/routes.ts";
import { Authenticator, type Principal } from "../gateway/auth/authenticator.ts";
import { GATEWAY_DB_FILE, openGatewayStore } from "../gateway/store/open-gateway-store.ts";
import type { GatewayStore } from "../gateway/store/store.ts";
import { silentLogger } from "../log/logger.ts";
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

/** Replaces the live fields the store cannot know (see the module comment). */
function storedView(body: Json): Json {
  const agent = (value: Json) => ({ ...value, status: value.status === "no_response" ? "enabled" : value.status });
  const group = (value: Json) => ({ ...value, status: "unknown", activeAgents: null });
  const out: Json = { ...body };
  if (body.agent) out.agent = agent(body.agent as Json);
  if (Array.isArray(body.agents)) out.agents = (body.agents as Json[]).map(agent);
  if (body.group && typeof body.group === "object") out.group = group(body.group as Json);
  if (Array.isArray(body.groups)) out.groups = (body.groups as Json[]).map(group);
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
  close(): Promise<void>;
}

/** Opens the store in `dataDir` (which must already hold one) for one command. */
export async function openLocalAdmin(dataDir: string): Promise<LocalAdmin> {
  const store = await openGatewayStore(checkDataDir(dataDir));
  const recorded = await store.getSetting(PUBLIC_URL_SETTING);
  const ctx = createAdminContext({
    store,
    live: { status: () => undefined },
    publicUrl: typeof recorded === "string" ? recorded : "<gateway-url>",
    log: silentLogger,
    auth: new LocalAuthenticator(store),
  });
  let requests = 0;
  return {
    async fetch(input, init) {
      const request = new Request(input, init);
      const answer = await handleAdminRequest(request, ctx, { requestId: `local-${process.pid}-${++requests}`, remoteIp: "local" });
      if (!answer) return Response.json({ error: { code: "NOT_FOUND", message: `no admin route ${request.method} ${new URL(input).pathname}`, retryable: false } }, { status: 404 });
      if (!answer.ok) return answer;
      return Response.json(storedView((await answer.json()) as Json), { status: answer.status, headers: { "x-request-id": answer.headers.get("x-request-id") ?? "" } });
    },
    close: () => store.close(),
  };
}
