/**
 * @module
 * `outpost gateway token create|list|revoke`: API tokens for callers. `create` prints the
 * secret once; the store keeps only its SHA-256, so a lost token is revoked and replaced.
 */
import type { Argv } from "yargs";
import type { ApiTokenRecord } from "../../gateway/store/store.ts";
import { cmd, group } from "../command.ts";
import { formatTable, type GatewayCliOptions, outOf, printJson, withAdmin, withStoreOptions } from "./gateway-shared.ts";

type CreateArgs = GatewayCliOptions & { name: string; group?: string[]; admin: boolean };
type RevokeArgs = GatewayCliOptions & { token: string };

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

function tokenJson(token: ApiTokenRecord) {
  return { ...token, createdAt: iso(token.createdAt), lastUsedAt: iso(token.lastUsedAt), revokedAt: iso(token.revokedAt) };
}

export const tokenCreateCommand = cmd<GatewayCliOptions, CreateArgs>({
  command: "create",
  describe: "Create an API token and print its secret (shown only now)",
  builder: (yargs) =>
    withStoreOptions(yargs)
      .option("name", { type: "string", demandOption: true, describe: "Token name, unique among live tokens" })
      .option("group", { type: "array", string: true, describe: "Group the token may use (repeatable; default: every group)" })
      .option("admin", { type: "boolean", default: false, describe: "May use the admin API (every group)" }) as unknown as Argv<CreateArgs>,
  handler: (args) =>
    withAdmin(args.dataDir, async (service) => {
      const { token, secret } = await service.createToken({ name: args.name, groups: args.group, admin: args.admin });
      if (args.json) return printJson(outOf(args), { token: tokenJson(token), secret });
      const scope = token.admin ? "admin, every group" : token.groups ? `groups ${token.groups.join(", ")}` : "every group";
      outOf(args)(`created token "${token.name}" (${scope}, id ${token.id})\ncopy the secret now; it is not shown again:\n  ${secret}\n`);
    }),
});

export const tokenListCommand = cmd<GatewayCliOptions, GatewayCliOptions>({
  command: "list",
  describe: "List API tokens (never their secrets)",
  builder: (yargs) => withStoreOptions(yargs) as unknown as Argv<GatewayCliOptions>,
  handler: (args) =>
    withAdmin(args.dataDir, async (_service, store) => {
      const tokens = await store.listApiTokens();
      if (args.json) return printJson(outOf(args), tokens.map(tokenJson));
      const rows = tokens.map((t) => [
        t.name, t.admin ? "admin" : (t.groups?.join(",") ?? "all"), iso(t.createdAt), iso(t.lastUsedAt), t.revokedAt === null ? "live" : `revoked ${iso(t.revokedAt)}`, t.id,
      ]);
      outOf(args)(formatTable(["NAME", "SCOPE", "CREATED", "LAST USED", "STATE", "ID"], rows));
    }),
});

export const tokenRevokeCommand = cmd<GatewayCliOptions, RevokeArgs>({
  command: "revoke <token>",
  describe: "Revoke an API token by name or id",
  builder: (yargs) =>
    withStoreOptions(yargs).positional("token", { type: "string", demandOption: true, describe: "Token name or id" }) as unknown as Argv<RevokeArgs>,
  handler: (args) =>
    withAdmin(args.dataDir, async (service) => {
      const token = await service.revokeToken(args.token);
      if (args.json) return printJson(outOf(args), tokenJson(token));
      outOf(args)(`revoked token "${token.name}" (id ${token.id})\n`);
    }),
});

/** `outpost gateway token ...`; register under the `gateway` parent command. */
export const gatewayTokenCommand = group("token", "Manage API tokens", [tokenCreateCommand, tokenListCommand, tokenRevokeCommand]);
