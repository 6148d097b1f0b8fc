/**
 * @module
 * `outpost gateway group upgrade GROUP --version V`: asks the running gateway (through the
 * store it shares with this command) to upgrade the group's agents one at a time, and
 * with `--wait` follows the rollout until it is done or failed.
 */
import type { Argv } from "yargs";
import { cmd } from "../command.ts";
import { type GatewayCliOptions, outOf, printJson, withAdmin, withStoreOptions } from "./gateway-shared.ts";

type UpgradeArgs = GatewayCliOptions & { name: string; version: string; baseUrl?: string; wait: boolean; timeout: number };

export const groupUpgradeCommand = cmd<GatewayCliOptions, UpgradeArgs>({
  command: "upgrade <name>",
  describe: "Upgrade the group's agents one at a time, without dropping requests",
  builder: (yargs) =>
    withStoreOptions(yargs)
      .positional("name", { type: "string", demandOption: true, describe: "Group name" })
      .option("version", { type: "string", demandOption: true, describe: "Release version to install, e.g. 1.4.0" })
      .option("base-url", { type: "string", describe: "Release base URL the agents download from (default: theirs)" })
      .option("wait", { type: "boolean", default: false, describe: "Follow the rollout until it ends" })
      .option("timeout", { type: "number", default: 1800, describe: "Seconds --wait waits at most" }) as unknown as Argv<UpgradeArgs>,
  handler: async (args) => {
    const { requestRollout, readRollout } = await import("../../gateway/rollout.ts");
    const out = outOf(args);
    const groupId = await withAdmin(args.dataDir, async (service, store) => {
      const group = await service.group(args.name);
      const record = await requestRollout(store, group.id, args.version, args.baseUrl);
      if (args.json && !args.wait) printJson(out, record);
      else out(`rollout of group "${group.name}" to ${args.version} requested; the gateway starts it within a few seconds\n`);
      return group.id;
    });
    if (!args.wait) return;
    const until = Date.now() + args.timeout * 1000;
    let last = "";
    for (;;) {
      const record = await withAdmin(args.dataDir, (_service, store) => readRollout(store, groupId));
      const line = `${record?.state}${record?.current ? ` (upgrading ${record.current})` : ""}: ${record?.upgraded.length ?? 0} agent(s) on ${args.version}`;
      if (line !== last && !args.json) out(`${line}\n`);
      last = line;
      if (record?.state === "done" || record?.state === "failed") {
        if (args.json) printJson(out, record);
        if (record.state === "failed") throw new Error(`rollout failed: ${record.error}`);
        return;
      }
      if (Date.now() > until) throw new Error(`the rollout did not finish within ${args.timeout} s (state: ${record?.state})`);
      await Bun.sleep(1000);
    }
  },
});
