/**
 * @module
 * `outpost gateway agent add|list|show|enable|disable|remove|code`: agents of a group.
 * `add` and `code` print a one-time activation code (valid one hour) and the exact
 * `outpost activate` line to run on the agent's machine; the code is never shown again.
 * `list --watch` re-renders the list whenever it changes (gateway-agent-watch.ts).
 */
import type { Argv } from "yargs";
import type { AgentActivation } from "../../client/admin-client.ts";
import { withTarget } from "../admin-target.ts";
import { cmd, group } from "../command.ts";
import { agentLines, agentRows } from "./gateway-agent-view.ts";
import { watchAgents } from "./gateway-agent-watch.ts";
import { type AdminCliOptions, formatOf, type Out, outOf, printJson, withAdminOptions } from "./gateway-shared.ts";

type GroupArgs = AdminCliOptions & { group: string };
type AgentArgs = GroupArgs & { name: string };
type AddArgs = AgentArgs & { gatewayUrl?: string };
type ListArgs = GroupArgs & { watch: boolean; watchCount?: number };

function groupOptions<T>(yargs: Argv<T>) {
  return withAdminOptions(yargs).positional("group", { type: "string", demandOption: true, describe: "Group name" });
}

function agentOptions<T>(yargs: Argv<T>) {
  return groupOptions(yargs).positional("name", { type: "string", demandOption: true, describe: "Agent name (or id)" });
}

const gatewayUrlOption = {
  type: "string",
  describe: "URL agents dial (wss://...) in the printed command; defaults to the gateway's own",
} as const;

/** The activation answer, with `--gateway-url` put into its command when given. */
function withUrl(issued: AgentActivation, url: string | undefined): AgentActivation {
  return url === undefined ? issued : { ...issued, command: issued.command.replace(/--gateway \S+/, `--gateway ${url}`) };
}

function printCode(issued: AgentActivation, out: Out): void {
  out(`activation code for agent "${issued.agent.name}" (one use, valid until ${issued.expiresAt}; not shown again):\n`);
  out(`  ${issued.activationCode}\n\non the agent's machine run:\n  ${issued.command}\n`);
  if (issued.command.includes("<gateway-url>")) out("(replace <gateway-url>, or pass --gateway-url, to complete the command)\n");
}

export const agentAddCommand = cmd<AdminCliOptions, AddArgs>({
  command: "add <group>",
  describe: "Add an agent to a group and print its one-time activation code",
  builder: (yargs) =>
    groupOptions(yargs)
      .option("name", { type: "string", demandOption: true, describe: "Agent name, unique in the group" })
      .option("gateway-url", gatewayUrlOption) as unknown as Argv<AddArgs>,
  handler: (args) =>
    withTarget(args, async ({ client }) => {
      const added = withUrl(await client.agents.add(args.group, args.name), args.gatewayUrl);
      const out = outOf(args);
      if (formatOf(args) === "json") return printJson(out, added);
      out(`added agent "${added.agent.name}" to group "${added.agent.group}"\n`);
      printCode(added, out);
    }),
});

export const agentCodeCommand = cmd<AdminCliOptions, AddArgs>({
  command: "code <group> <name>",
  describe: "Issue a new one-time activation code for an agent (earlier unused codes stop working)",
  builder: (yargs) => agentOptions(yargs).option("gateway-url", gatewayUrlOption) as unknown as Argv<AddArgs>,
  handler: (args) =>
    withTarget(args, async ({ client }) => {
      const issued = withUrl(await client.agents.activationCode(args.group, args.name), args.gatewayUrl);
      if (formatOf(args) === "json") return printJson(outOf(args), issued);
      printCode(issued, outOf(args));
    }),
});

export const agentListCommand = cmd<AdminCliOptions, ListArgs>({
  command: "list <group>",
  describe: "List a group's agents",
  builder: (yargs) =>
    groupOptions(yargs)
      .option("watch", { alias: "w", type: "boolean", default: false, describe: "Keep running and print the list again whenever it changes (Ctrl-C stops)" })
      .option("watch-count", { type: "number", describe: "With --watch: stop after this many renders" }) as unknown as Argv<ListArgs>,
  handler: (args) =>
    withTarget(args, async ({ client }) => {
      const format = formatOf(args);
      const render = async () => {
        const agents = await client.agents.list(args.group);
        if (format === "json") return args.watch ? `${JSON.stringify(agents)}\n` : `${JSON.stringify(agents, null, 2)}\n`;
        return agents.length > 0 ? agentRows(agents, format) : `group "${args.group}" has no agents\n`;
      };
      if (!args.watch) return outOf(args)(await render());
      await watchAgents({ render, out: outOf(args), count: args.watchCount, clear: format !== "json" && process.stdout.isTTY === true && !args.out });
    }),
});

export const agentShowCommand = cmd<AdminCliOptions, AgentArgs>({
  command: "show <group> <name>",
  describe: "Show one agent",
  builder: (yargs) => agentOptions(yargs) as unknown as Argv<AgentArgs>,
  handler: (args) =>
    withTarget(args, async ({ client }) => {
      const agent = await client.agents.get(args.group, args.name);
      if (formatOf(args) === "json") return printJson(outOf(args), agent);
      outOf(args)(agentLines(agent));
    }),
});

function statusCommand(verb: "enable" | "disable" | "remove", describe: string) {
  return cmd<AdminCliOptions, AgentArgs>({
    command: `${verb} <group> <name>`,
    describe,
    builder: (yargs) => agentOptions(yargs) as unknown as Argv<AgentArgs>,
    handler: (args) =>
      withTarget(args, async ({ client }) => {
        const answer = verb === "remove"
          ? { deleted: await client.agents.remove(args.group, args.name) }
          : await client.agents[verb](args.group, args.name);
        if (formatOf(args) === "json") return printJson(outOf(args), answer);
        const name = "deleted" in answer ? answer.deleted.agent : answer.name;
        outOf(args)(`${verb === "remove" ? "removed" : `${verb}d`} agent "${name}" of group "${args.group}"\n`);
      }),
  });
}

export const agentEnableCommand = statusCommand("enable", "Let an activated agent serve requests again");
export const agentDisableCommand = statusCommand("disable", "Stop routing requests to an agent and refuse its connections");
export const agentRemoveCommand = statusCommand("remove", "Remove an agent and its key");

/** `outpost gateway agent ...`; register under the `gateway` parent command. */
export const gatewayAgentCommand = group("agent", "Manage a group's agents", [
  agentAddCommand, agentListCommand, agentShowCommand, agentEnableCommand, agentDisableCommand, agentRemoveCommand, agentCodeCommand,
]);
