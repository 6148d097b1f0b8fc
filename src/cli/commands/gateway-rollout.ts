/**
 * @module
 * `outpost gateway group upgrade GROUP --version V`: asks the gateway to upgrade the
 * group's agents one at a time (`POST /v1/groups/{group}/upgrade`), and with `--wait`
 * follows the rollout (`GET` every second) until it is done or failed.
 */
import type { Argv } from "yargs";
import type { Rollout } from "../../client/admin-client.ts";
import { withTarget } from "../admin-target.ts";
import { cmd } from "../command.ts";
import { type AdminCliOptions, formatOf, outOf, printJson, withAdminOptions } from "./gateway-shared.ts";

type UpgradeArgs = AdminCliOptions & { name: string; version: string; baseUrl?: string; wait: boolean; timeout: number };

function progress(rollout: Rollout): string {
  return `${rollout.state}${rollout.current ? ` (upgrading ${rollout.current})` : ""}: ${rollout.upgraded.length} agent(s) on ${rollout.version}`;
}

export const groupUpgradeCommand = cmd<AdminCliOptions, UpgradeArgs>({
  command: "upgrade <name>",
  describe: "Upgrade the group's agents one at a time, without dropping requests",
  builder: (yargs) =>
    withAdminOptions(yargs)
      .positional("name", { type: "string", demandOption: true, describe: "Group name" })
      .option("version", { type: "string", demandOption: true, describe: "Release version to install, e.g. 1.4.0" })
      .option("base-url", { type: "string", describe: "Release base URL the agents download from (default: theirs)" })
      .option("wait", { type: "boolean", default: false, describe: "Follow the rollout until it ends" })
      .option("timeout", { type: "number", default: 1800, describe: "Seconds --wait waits at most" }) as unknown as Argv<UpgradeArgs>,
  handler: (args) =>
    withTarget(args, async ({ client }) => {
      const out = outOf(args);
      const json = formatOf(args) === "json";
      const requested = await client.rollouts.start(args.name, { version: args.version, baseUrl: args.baseUrl });
      if (json && !args.wait) return printJson(out, requested);
      if (!json) out(`rollout of group "${args.name}" to ${args.version} requested; the gateway starts it within a few seconds\n`);
      if (!args.wait) return;
      const until = Date.now() + args.timeout * 1000;
      let last = "";
      for (;;) {
        const rollout = await client.rollouts.get(args.name);
        const line = progress(rollout);
        if (line !== last && !json) out(`${line}\n`);
        last = line;
        if (rollout.state === "done" || rollout.state === "failed") {
          if (json) printJson(out, rollout);
          if (rollout.state === "failed") throw new Error(`rollout failed: ${rollout.error}`);
          return;
        }
        if (Date.now() > until) throw new Error(`the rollout did not finish within ${args.timeout} s (state: ${rollout.state})`);
        await Bun.sleep(1000);
      }
    }),
});
