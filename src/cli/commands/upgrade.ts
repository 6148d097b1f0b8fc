/**
 * @module
 * `outpost upgrade [--check] [--version V] [--yes] [--rollback] [--allow-downgrade] [--base-url URL]`:
 * replaces this binary with a signed release (see src/upgrade). Exit codes: 0 nothing to do
 * or `--check` done, 75 upgraded or rolled back (restart the agent to run it), 1 refused or
 * failed (the running binary is unchanged), 2 usage.
 */
import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { cmd, type GlobalOptions } from "../command.ts";
import { UsageError } from "../errors.ts";
import { VERSION } from "../version.ts";

interface UpgradeArgs extends GlobalOptions {
  check: boolean;
  version?: string;
  yes: boolean;
  rollback: boolean;
  "allow-downgrade": boolean;
  "base-url"?: string;
}

export const upgradeCommand = cmd<GlobalOptions, UpgradeArgs>({
  command: "upgrade",
  describe: "Upgrade this binary to a signed release (or roll back)",
  builder: (yargs) =>
    yargs
      // `--version V` names the release here; yargs' own --version flag would swallow it.
      .version(false)
      .option("check", { type: "boolean", default: false, describe: "Only say whether another version is available" })
      .option("version", { type: "string", describe: "Install this version instead of the latest" })
      .option("yes", { alias: "y", type: "boolean", default: false, describe: "Do not ask for confirmation" })
      .option("rollback", { type: "boolean", default: false, describe: "Put back the binary the last upgrade replaced" })
      .option("allow-downgrade", { type: "boolean", default: false, describe: "Allow installing an older version" })
      .option("base-url", { type: "string", describe: "Release base URL (default: $OUTPOST_RELEASE_BASE or the official one)" }) as never,
  handler: async (args) => {
    const upgrade = await import("../../upgrade/index.ts");
    const out = (line: string) => void process.stdout.write(`${line}\n`);
    if (args.rollback) {
      const { binaryPath, version } = upgrade.rollbackUpgrade();
      out(`rolled back ${binaryPath} to ${version}; restart the agent (or its service) to run it`);
      process.exitCode = upgrade.EXIT_UPGRADED;
      return;
    }
    const settings = await configSettings(args.config);
    const result = await upgrade.performUpgrade({
      currentVersion: VERSION,
      baseUrl: args["base-url"],
      version: args.version,
      check: args.check,
      allowDowngrade: args["allow-downgrade"],
      ...settings,
      confirm: args.yes ? undefined : confirm,
    });
    if (result.status === "up-to-date") out(`outpost ${result.from} is up to date`);
    else if (result.status === "available") out(`outpost ${result.to} is available (running ${result.from}); run \`outpost upgrade\` to install it`);
    else if (result.status === "declined") out("upgrade cancelled; nothing was changed");
    else {
      out(`upgraded ${result.binaryPath} from ${result.from} to ${result.to} (previous binary kept at ${result.previousPath}; \`outpost upgrade --rollback\` puts it back)`);
      out("restart the agent (or its service) to run the new version");
      process.exitCode = upgrade.EXIT_UPGRADED;
    }
  },
});

/** Proxy and CA (`gateway.ca`, trusted instead of the system store) from config.yml when there is one; an upgrade works without a config too. */
async function configSettings(configPath: string) {
  const path = resolve(configPath);
  if (!existsSync(path)) return {};
  const { loadConfigSections } = await import("../../config/load.ts");
  // Only what an upgrade uses: a secret elsewhere that this shell cannot resolve must not stop it.
  const { config } = await loadConfigSections(path, ["proxy", "gateway"]);
  const ca = config.gateway?.ca;
  return { proxy: config.proxy, caPath: ca ? resolve(dirname(path), ca) : undefined };
}

async function confirm(from: string, to: string): Promise<boolean> {
  if (!process.stdin.isTTY) throw new UsageError("stdin is not a terminal; pass --yes to upgrade without a prompt");
  const { createInterface } = await import("node:readline/promises");
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(`upgrade outpost ${from} to ${to}? [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}
