/**
 * @module
 * `outpost gateway token create|list|revoke`: API tokens for callers. `create` prints the
 * secret once; the gateway keeps only its SHA-256, so a lost token is revoked and replaced.
 */
import type { Argv } from "yargs";
import type { ApiToken } from "../../client/admin-client.ts";
import { withTarget } from "../admin-target.ts";
import { cmd, group } from "../command.ts";
import { type AdminCliOptions, formatOf, formatTable, outOf, printJson, withAdminOptions } from "./gateway-shared.ts";

type CreateArgs = AdminCliOptions & { name: string; group?: string[]; admin: boolean };
type RevokeArgs = AdminCliOptions & { name: string };

function scope(token: ApiToken): string {
  return token.admin ? "admin" : (token.groups?.join(",") ?? "all");
}

export const tokenCreateCommand = cmd<AdminCliOptions, CreateArgs>({
  command: "create",
  describe: "Create an API token and print its secret (shown only now)",
  builder: (yargs) =>
    withAdminOptions(yargs)
      .option("name", { type: "string", demandOption: true, describe: "Token name, unique among live tokens" })
      .option("group", { type: "array", string: true, describe: "Group the token may use (repeatable; default: every group)" })
      .option("admin", { type: "boolean", default: false, describe: "May use the admin API (every group)" }) as unknown as Argv<CreateArgs>,
  handler: (args) =>
    withTarget(args, async ({ client }) => {
      const created = await client.tokens.create({ name: args.name, groups: args.group, admin: args.admin });
      if (formatOf(args) === "json") return printJson(outOf(args), created);
      const { token, secret } = created;
      const described = token.admin ? "admin, every group" : token.groups ? `groups ${token.groups.join(", ")}` : "every group";
      outOf(args)(`created token "${token.name}" (${described}, id ${token.id})\ncopy the secret now; it is not shown again:\n  ${secret}\n`);
    }),
});

export const tokenListCommand = cmd<AdminCliOptions, AdminCliOptions>({
  command: "list",
  describe: "List API tokens (never their secrets)",
  builder: (yargs) => withAdminOptions(yargs) as unknown as Argv<AdminCliOptions>,
  handler: (args) =>
    withTarget(args, async ({ client }) => {
      const tokens = await client.tokens.list();
      const format = formatOf(args);
      if (format === "json") return printJson(outOf(args), tokens);
      const state = (t: ApiToken) => (t.revokedAt === null ? "live" : "revoked");
      const rows = format === "wide"
        ? tokens.map((t) => [t.name, scope(t), t.createdAt, t.lastUsedAt, state(t), t.revokedAt, t.id])
        : tokens.map((t) => [t.name, scope(t), t.createdAt, t.lastUsedAt, state(t)]);
      const headers = ["NAME", "SCOPE", "CREATED", "LAST USED", "STATE", ...(format === "wide" ? ["REVOKED", "ID"] : [])];
      outOf(args)(formatTable(headers, rows));
    }),
});

export const tokenRevokeCommand = cmd<AdminCliOptions, RevokeArgs>({
  // Not `<token>`: that would be the same yargs key as the `--token` credential option.
  command: "revoke <name>",
  describe: "Revoke an API token by name or id",
  builder: (yargs) =>
    withAdminOptions(yargs).positional("name", { type: "string", demandOption: true, describe: "Token name or id" }) as unknown as Argv<RevokeArgs>,
  handler: (args) =>
    withTarget(args, async ({ client }) => {
      const token = await client.tokens.revoke(args.name);
      if (formatOf(args) === "json") return printJson(outOf(args), token);
      outOf(args)(`revoked token "${token.name}" (id ${token.id})\n`);
    }),
});

/** `outpost gateway token ...`; register under the `gateway` parent command. */
export const gatewayTokenCommand = group("token", "Manage API tokens", [tokenCreateCommand, tokenListCommand, tokenRevokeCommand]);
