/**
 * @module
 * `outpost gateway group create|list|show|delete|set`: agent groups, through the admin
 * API (or the store with `--data-dir`). `-o json` prints the API's objects as they come.
 */
import type { Argv } from "yargs";
import type { Group } from "../../client/admin-client.ts";
import { withTarget } from "../admin-target.ts";
import { cmd, group } from "../command.ts";
import { agentRows } from "./gateway-agent-view.ts";
import { groupUpgradeCommand } from "./gateway-rollout.ts";
import { type AdminCliOptions, formatOf, formatTable, outOf, printJson, withAdminOptions } from "./gateway-shared.ts";

type NameArgs = AdminCliOptions & { name: string };
type CidrArgs = NameArgs & { allowCidr?: string[]; alertWebhook?: string[] };

function cidrOptions<T>(yargs: Argv<T>) {
  return withAdminOptions(yargs)
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

function allowed(found: Group): string {
  return found.settings.allowedCidrs?.length ? found.settings.allowedCidrs.join(", ") : "any address";
}

export const groupCreateCommand = cmd<AdminCliOptions, CidrArgs>({
  command: "create <name>",
  describe: "Create a group of agents",
  builder: (yargs) => cidrOptions(yargs) as unknown as Argv<CidrArgs>,
  handler: (args) =>
    withTarget(args, async ({ client }) => {
      const created = await client.groups.create(args.name, settingsPatch(args));
      if (formatOf(args) === "json") return printJson(outOf(args), created);
      outOf(args)(`created group "${created.name}"\ngroup "${created.name}" allows ${allowed(created)}\n`);
    }),
});

export const groupSetCommand = cmd<AdminCliOptions, CidrArgs>({
  command: "set <name>",
  describe: "Change a group's settings (--allow-cidr replaces the list)",
  builder: (yargs) => cidrOptions(yargs) as unknown as Argv<CidrArgs>,
  handler: (args) =>
    withTarget(args, async ({ client }) => {
      const updated = await client.groups.update(args.name, settingsPatch(args));
      if (formatOf(args) === "json") return printJson(outOf(args), updated);
      outOf(args)(`group "${updated.name}" allows ${allowed(updated)}\n`);
    }),
});

function groupRows(groups: Group[], wide: boolean): string {
  const base = (g: Group) => [g.name, g.status, `${g.activeAgents}/${g.enabledAgents}`, g.settings.allowedCidrs?.join(",") || "any", g.createdAt];
  if (!wide) return formatTable(["NAME", "STATUS", "ACTIVE", "ALLOWED", "CREATED"], groups.map(base));
  return formatTable(
    ["NAME", "STATUS", "ACTIVE", "ALLOWED", "CREATED", "ALERT WEBHOOKS", "DRIFT", "ID"],
    groups.map((g) => [...base(g), g.settings.alertWebhooks?.length ?? 0, Object.keys(g.drift ?? {}).join(","), g.id]),
  );
}

export const groupListCommand = cmd<AdminCliOptions, AdminCliOptions>({
  command: "list",
  describe: "List groups",
  builder: (yargs) => withAdminOptions(yargs) as unknown as Argv<AdminCliOptions>,
  handler: (args) =>
    withTarget(args, async ({ client }) => {
      const groups = await client.groups.list();
      const format = formatOf(args);
      if (format === "json") return printJson(outOf(args), groups);
      outOf(args)(groups.length > 0 ? groupRows(groups, format === "wide") : "no groups; create one with `outpost gateway group create NAME`\n");
    }),
});

export const groupShowCommand = cmd<AdminCliOptions, NameArgs>({
  command: "show <name>",
  describe: "Show a group, its settings and its agents",
  builder: (yargs) => withAdminOptions(yargs).positional("name", { type: "string", demandOption: true }) as unknown as Argv<NameArgs>,
  handler: (args) =>
    withTarget(args, async ({ client }) => {
      const shown = await client.groups.get(args.name);
      const format = formatOf(args);
      if (format === "json") return printJson(outOf(args), shown);
      const { group: found, agents } = shown;
      const out = outOf(args);
      out(`group ${found.name} (id ${found.id})\nstatus: ${found.status} (${found.activeAgents} of ${found.enabledAgents} enabled agents active)\ncreated: ${found.createdAt}\n`);
      out(`allowed addresses: ${found.settings.allowedCidrs?.join(", ") || "any"}\n`);
      if (found.settings.alertWebhooks?.length) out(`alert webhooks: ${found.settings.alertWebhooks.join(", ")}\n`);
      for (const [profile, hashes] of Object.entries(found.drift ?? {})) out(`drift: profile "${profile}" differs between agents (${hashes.join(", ")})\n`);
      out(agents.length > 0 ? `\n${agentRows(agents, format)}` : "no agents; add one with `outpost gateway agent add " + found.name + " --name NAME`\n");
    }),
});

export const groupDeleteCommand = cmd<AdminCliOptions, NameArgs & { force: boolean }>({
  command: "delete <name>",
  describe: "Delete a group (refused while it has agents, unless --force)",
  builder: (yargs) =>
    withAdminOptions(yargs)
      .positional("name", { type: "string", demandOption: true })
      .option("force", { type: "boolean", default: false, describe: "Also remove the group's agents" }) as unknown as Argv<NameArgs & { force: boolean }>,
  handler: (args) =>
    withTarget(args, async ({ client }) => {
      const deleted = await client.groups.delete(args.name, { force: args.force });
      if (formatOf(args) === "json") return printJson(outOf(args), { deleted });
      outOf(args)(`deleted group "${deleted.group}"${deleted.agentsRemoved > 0 ? ` and its ${deleted.agentsRemoved} agent(s)` : ""}\n`);
    }),
});

/** `outpost gateway group ...`; register under the `gateway` parent command. */
export const gatewayGroupCommand = group("group", "Manage agent groups", [
  groupCreateCommand, groupListCommand, groupShowCommand, groupDeleteCommand, groupSetCommand, groupUpgradeCommand,
]);
