/**
 * @module
 * `outpost gateway agent add|list|show|enable|disable|remove|code`: agents of a group.
 * `add` and `code` print a one-time activation code (valid one hour) and the exact
 * `outpost activate` line to run on the agent's machine; the code is never shown again.
 */
import type { Argv } from "yargs";
import type { AgentRecord } from "../../gateway/store/store.ts";
import { cmd, group } from "../command.ts";
import { agentRows, cliAgentView } from "./gateway-agent-view.ts";
import { type GatewayCliOptions, gatewayUrlFor, type Out, outOf, printJson, withAdmin, withStoreOptions } from "./gateway-shared.ts";

type GroupArgs = GatewayCliOptions & { group: string };
type AgentArgs = GroupArgs & { name: string };
type AddArgs = AgentArgs & { gatewayUrl?: string };

function groupOptions<T>(yargs: Argv<T>) {
  return withStoreOptions(yargs).positional("group", { type: "string", demandOption: true, describe: "Group name" });
}

function agentOptions<T>(yargs: Argv<T>) {
  return groupOptions(yargs).positional("name", { type: "string", demandOption: true, describe: "Agent name (or id)" });
}

const gatewayUrlOption = {
  type: "string",
  describe: "URL agents dial (wss://...); defaults to the one `outpost gateway serve` recorded",
} as const;

function printCode(out: Out, agent: AgentRecord, code: { activationCode: string; expiresAt: number; command: string }, haveUrl: boolean): void {
  out(`activation code for agent "${agent.name}" (one use, valid until ${new Date(code.expiresAt).toISOString()}; not shown again):\n`);
  out(`  ${code.activationCode}\n\non the agent's machine run:\n  ${code.command}\n`);
  if (!haveUrl) out("(replace <gateway-url>, or pass --gateway-url, to complete the command)\n");
}

export const agentAddCommand = cmd<GatewayCliOptions, AddArgs>({
  command: "add <group>",
  describe: "Add an agent to a group and print its one-time activation code",
  builder: (yargs) =>
    groupOptions(yargs)
      .option("name", { type: "string", demandOption: true, describe: "Agent name, unique in the group" })
      .option("gateway-url", gatewayUrlOption) as unknown as Argv<AddArgs>,
  handler: (args) =>
    withAdmin(args.dataDir, async (service, store) => {
      const url = await gatewayUrlFor(store, args.gatewayUrl);
      const added = await service.addAgent(args.group, args.name, url);
      const out = outOf(args);
      if (args.json) {
        return printJson(out, { agent: cliAgentView(added.agent, added.group.name), activationCode: added.activationCode, expiresAt: new Date(added.expiresAt).toISOString(), command: added.command });
      }
      out(`added agent "${added.agent.name}" to group "${added.group.name}"\n`);
      printCode(out, added.agent, added, url !== undefined);
    }),
});

export const agentCodeCommand = cmd<GatewayCliOptions, AddArgs>({
  command: "code <group> <name>",
  describe: "Issue a new one-time activation code for an agent (earlier unused codes stop working)",
  builder: (yargs) => agentOptions(yargs).option("gateway-url", gatewayUrlOption) as unknown as Argv<AddArgs>,
  handler: (args) =>
    withAdmin(args.dataDir, async (service, store) => {
      const url = await gatewayUrlFor(store, args.gatewayUrl);
      const issued = await service.newActivationCode(args.group, args.name, url);
      if (args.json) {
        return printJson(outOf(args), { agent: cliAgentView(issued.agent, args.group), activationCode: issued.activationCode, expiresAt: new Date(issued.expiresAt).toISOString(), command: issued.command });
      }
      printCode(outOf(args), issued.agent, issued, url !== undefined);
    }),
});

export const agentListCommand = cmd<GatewayCliOptions, GroupArgs>({
  command: "list <group>",
  describe: "List a group's agents (stored status; live status is in the admin API)",
  builder: (yargs) => groupOptions(yargs) as unknown as Argv<GroupArgs>,
  handler: (args) =>
    withAdmin(args.dataDir, async (service, store) => {
      const found = await service.group(args.group);
      const agents = await store.listAgents(found.id);
      if (args.json) return printJson(outOf(args), agents.map((a) => cliAgentView(a, found.name)));
      outOf(args)(agents.length > 0 ? agentRows(agents) : `group "${found.name}" has no agents\n`);
    }),
});

export const agentShowCommand = cmd<GatewayCliOptions, AgentArgs>({
  command: "show <group> <name>",
  describe: "Show one agent",
  builder: (yargs) => agentOptions(yargs) as unknown as Argv<AgentArgs>,
  handler: (args) =>
    withAdmin(args.dataDir, async (service) => {
      const { agent } = await service.agent(args.group, args.name);
      const view = cliAgentView(agent, args.group);
      if (args.json) return printJson(outOf(args), view);
      const lines = Object.entries(view).map(([key, value]) => `${key}: ${value === null ? "-" : typeof value === "object" ? JSON.stringify(value) : value}`);
      outOf(args)(`${lines.join("\n")}\n`);
    }),
});

function statusCommand(verb: "enable" | "disable" | "remove", describe: string) {
  return cmd<GatewayCliOptions, AgentArgs>({
    command: `${verb} <group> <name>`,
    describe,
    builder: (yargs) => agentOptions(yargs) as unknown as Argv<AgentArgs>,
    handler: (args) =>
      withAdmin(args.dataDir, async (service) => {
        const agent = verb === "remove"
          ? await service.removeAgent(args.group, args.name)
          : await service.setAgentStatus(args.group, args.name, verb === "enable" ? "enabled" : "disabled");
        if (args.json) return printJson(outOf(args), verb === "remove" ? { deleted: cliAgentView(agent, args.group) } : cliAgentView(agent, args.group));
        outOf(args)(`${verb === "remove" ? "removed" : `${verb}d`} agent "${agent.name}" of group "${args.group}"\n`);
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
