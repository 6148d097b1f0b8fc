/**
 * @module
 * `outpost gateway group create|list|show|delete|set`: agent groups in the gateway's
 * store. Works beside a running gateway; a group's health (`active | degraded |
 * inactive`) is read from the presence the gateway records, and `show` prints each
 * agent's stored status and when it was last seen.
 */
import type { Argv } from "yargs";
import { cmd, group } from "../command.ts";
import { formatTable, type GatewayCliOptions, outOf, printJson, withAdmin, withStoreOptions } from "./gateway-shared.ts";
import { agentRows, cliAgentView, readPresence, storedGroupHealth } from "./gateway-agent-view.ts";
import { groupUpgradeCommand } from "./gateway-rollout.ts";

type NameArgs = GatewayCliOptions & { name: string };
type CidrArgs = NameArgs & { allowCidr?: string[]; alertWebhook?: string[] };

function cidrOptions<T>(yargs: Argv<T>) {
  return withStoreOptions(yargs)
    .positional("name", { type: "string", demandOption: true, describe: "Group name" })
    .option("allow-cidr", { type: "array", string: true, describe: "Address range the group's agents may connect from (repeatable; none given = any address)" })
    .option("alert-webhook", { type: "array", string: true, describe: "URL to POST to when the group's health changes (repeatable)" });
}

function settingsPatch(args: CidrArgs): Record<string, string[]> {
  const patch: Record<string, string[]> = {};
  if (args.allowCidr !== undefined) patch.allowedCidrs = args.allowCidr.filter((cidr) => cidr !== "");
  if (args.alertWebhook !== undefined) patch.alertWebhooks = args.alertWebhook.filter((url) => url !== "");
  return patch;
}

function printGroup(args: GatewayCliOptions, name: string, cidrs: string[]): void {
  if (!args.json) outOf(args)(`group "${name}" allows ${cidrs.length > 0 ? cidrs.join(", ") : "any address"}\n`);
}

export const groupCreateCommand = cmd<GatewayCliOptions, CidrArgs>({
  command: "create <name>",
  describe: "Create a group of agents",
  builder: (yargs) => cidrOptions(yargs) as unknown as Argv<CidrArgs>,
  handler: (args) =>
    withAdmin(args.dataDir, async (service) => {
      const created = await service.createGroup(args.name, settingsPatch(args));
      if (args.json) printJson(outOf(args), created);
      else outOf(args)(`created group "${created.name}"\n`);
      printGroup(args, created.name, created.settings.allowedCidrs);
    }),
});

export const groupSetCommand = cmd<GatewayCliOptions, CidrArgs>({
  command: "set <name>",
  describe: "Change a group's settings (--allow-cidr replaces the list)",
  builder: (yargs) => cidrOptions(yargs) as unknown as Argv<CidrArgs>,
  handler: (args) =>
    withAdmin(args.dataDir, async (service) => {
      const updated = await service.updateGroupSettings(args.name, settingsPatch(args));
      if (args.json) printJson(outOf(args), updated);
      printGroup(args, updated.name, updated.settings.allowedCidrs);
    }),
});

export const groupListCommand = cmd<GatewayCliOptions, GatewayCliOptions>({
  command: "list",
  describe: "List groups",
  builder: (yargs) => withStoreOptions(yargs) as unknown as Argv<GatewayCliOptions>,
  handler: (args) =>
    withAdmin(args.dataDir, async (_service, store) => {
      const groups = await store.listGroups();
      const agents = await store.listAgents();
      const presence = await readPresence(store);
      const count = (id: string) => agents.filter((agent) => agent.groupId === id).length;
      const health = (id: string) => storedGroupHealth(agents.filter((agent) => agent.groupId === id), presence);
      if (args.json) return printJson(outOf(args), groups.map((g) => ({ ...g, ...health(g.id), agentCount: count(g.id) })));
      const rows = groups.map((g) => {
        const { status, activeAgents, enabledAgents } = health(g.id);
        return [g.name, status, `${activeAgents}/${enabledAgents}`, count(g.id), g.settings.allowedCidrs.join(",") || "any", new Date(g.createdAt).toISOString()];
      });
      outOf(args)(formatTable(["NAME", "STATUS", "ACTIVE", "AGENTS", "ALLOWED", "CREATED"], rows));
    }),
});

export const groupShowCommand = cmd<GatewayCliOptions, NameArgs>({
  command: "show <name>",
  describe: "Show a group, its settings and its agents",
  builder: (yargs) => withStoreOptions(yargs).positional("name", { type: "string", demandOption: true }) as unknown as Argv<NameArgs>,
  handler: (args) =>
    withAdmin(args.dataDir, async (service, store) => {
      const found = await service.group(args.name);
      const agents = await store.listAgents(found.id);
      const health = storedGroupHealth(agents, await readPresence(store));
      if (args.json) return printJson(outOf(args), { group: { ...found, ...health }, agents: agents.map((a) => cliAgentView(a, found.name)) });
      const out = outOf(args);
      out(`group ${found.name} (id ${found.id})\n`);
      out(`status: ${health.status} (${health.activeAgents} of ${health.enabledAgents} enabled agents active)\n`);
      out(`allowed addresses: ${found.settings.allowedCidrs.join(", ") || "any"}\n`);
      if (found.settings.alertWebhooks?.length) out(`alert webhooks: ${found.settings.alertWebhooks.join(", ")}\n`);
      out(agents.length > 0 ? `\n${agentRows(agents)}` : "no agents; add one with `outpost gateway agent add " + found.name + " --name NAME`\n");
    }),
});

export const groupDeleteCommand = cmd<GatewayCliOptions, NameArgs & { force: boolean }>({
  command: "delete <name>",
  describe: "Delete a group (refused while it has agents, unless --force)",
  builder: (yargs) =>
    withStoreOptions(yargs)
      .positional("name", { type: "string", demandOption: true })
      .option("force", { type: "boolean", default: false, describe: "Also remove the group's agents" }) as unknown as Argv<NameArgs & { force: boolean }>,
  handler: (args) =>
    withAdmin(args.dataDir, async (service) => {
      const { agentsRemoved } = await service.deleteGroup(args.name, args.force);
      if (args.json) return printJson(outOf(args), { deleted: { group: args.name, agentsRemoved } });
      outOf(args)(`deleted group "${args.name}"${agentsRemoved > 0 ? ` and its ${agentsRemoved} agent(s)` : ""}\n`);
    }),
});

/** `outpost gateway group ...`; register under the `gateway` parent command. */
export const gatewayGroupCommand = group("group", "Manage agent groups", [
  groupCreateCommand, groupListCommand, groupShowCommand, groupDeleteCommand, groupSetCommand, groupUpgradeCommand,
]);
