/**
 * @module
 * `outpost gateway login --gateway URL [--token T] [--ca FILE]` saves a context (as
 * kubectl and tctl do) so later admin commands need no flags; `logout` forgets it. The
 * token is checked against the gateway before it is saved, read from a hidden prompt or
 * stdin when not given, and never printed again.
 */
import { resolve } from "node:path";
import type { Argv } from "yargs";
import { contextPath, removeContext, writeContext } from "../admin-context.ts";
import { gatewayBaseUrl, withTarget } from "../admin-target.ts";
import { cmd } from "../command.ts";
import { UsageError } from "../errors.ts";
import { type AdminCliOptions, outOf } from "./gateway-shared.ts";

type LoginArgs = AdminCliOptions & { gateway?: string; token?: string; ca?: string };

async function tokenFrom(args: LoginArgs): Promise<string> {
  const given = args.token ?? process.env.OUTPOST_GATEWAY_TOKEN;
  if (given) return given;
  const { readHidden, readStdin } = await import("../read-secret.ts");
  const typed = process.stdin.isTTY ? await readHidden("admin token: ") : await readStdin();
  if (typed.trim() === "") throw new UsageError("no token: pass --token, set OUTPOST_GATEWAY_TOKEN, or type it at the prompt");
  return typed.trim();
}

export const gatewayLoginCommand = cmd<AdminCliOptions, LoginArgs>({
  command: "login",
  describe: "Check a gateway URL and admin token and save them for later admin commands",
  builder: (yargs) =>
    yargs
      .option("gateway", { type: "string", describe: "Gateway URL, https://… (default: $OUTPOST_GATEWAY_URL)" })
      .option("token", { type: "string", describe: "Admin API token (default: $OUTPOST_GATEWAY_TOKEN, else asked for)" })
      .option("ca", { type: "string", describe: "PEM file of the CA that signed the gateway's certificate" }) as unknown as Argv<LoginArgs>,
  handler: async (args) => {
    const named = args.gateway ?? process.env.OUTPOST_GATEWAY_URL;
    if (!named) throw new UsageError("name the gateway: outpost gateway login --gateway https://gateway.example.com");
    const gateway = gatewayBaseUrl(named);
    const token = await tokenFrom(args);
    const ca = args.ca ?? process.env.OUTPOST_GATEWAY_CA;
    const context = { gateway, token, ca: ca === undefined ? undefined : resolve(ca) };
    const { groups, admin } = await withTarget(context, async ({ client }) => {
      const groups = await client.groups.list();
      // A scoped token can read its groups but changes nothing; say so now, not at the first change.
      const admin = await client.tokens.list().then(() => true, (error: { status?: number }) => {
        if (error.status === 403) return false;
        throw error;
      });
      return { groups, admin };
    }, false);
    const path = contextPath();
    writeContext(context, path);
    const out = outOf(args);
    out(`logged in to ${gateway} (${groups.length} group(s) visible${admin ? "" : "; not an admin token: changes will be refused"})\n`);
    out(`saved to ${path} (mode 0600); \`outpost gateway logout\` forgets it\n`);
  },
});

export const gatewayLogoutCommand = cmd<AdminCliOptions, AdminCliOptions>({
  command: "logout",
  describe: "Forget the gateway context saved by `outpost gateway login`",
  handler: (args) => {
    const path = contextPath();
    outOf(args)(removeContext(path) ? `removed ${path}\n` : `no saved gateway context (${path})\n`);
  },
});
