#!/usr/bin/env bun
/**
 * @module
 * The `outpost` command line. Commands live one per file in `commands/` and are listed
 * below; each imports its heavy modules (drivers, libsodium, ajv) inside its handler so
 * start-up stays fast. `--version`, and `run` in the plain form service managers use, are
 * answered without loading yargs.
 */
import { EXIT_FAILURE, reportError, UsageError } from "./errors.ts";
import { VERSION } from "./version.ts";
import { group, type GlobalOptions } from "./command.ts";
import { configInitCommand } from "./commands/config-init.ts";
import { configValidateCommand } from "./commands/config-validate.ts";
import { encryptCommand } from "./commands/encrypt.ts";
import { versionCommand } from "./commands/version.ts";
import { plainRunOptions, runCommand } from "./commands/run.ts";
import { devCommand } from "./commands/dev.ts";
import { keysCommand } from "./commands/keys-rotate.ts";
import { activateCommand } from "./commands/activate.ts";
import { gatewayServeCommand } from "./commands/gateway-serve.ts";
import { gatewayGroupCommand } from "./commands/gateway-group.ts";
import { gatewayAgentCommand } from "./commands/gateway-agent.ts";
import { gatewayTokenCommand } from "./commands/gateway-token.ts";
import { gatewayLoginCommand, gatewayLogoutCommand } from "./commands/gateway-login.ts";
import { upgradeCommand } from "./commands/upgrade.ts";
import { serviceCommand } from "./commands/service.ts";
import { doctorCommand } from "./commands/doctor.ts";

/** Every top-level command, in help order. Add new ones here. */
const COMMANDS = [
  devCommand,
  runCommand,
  activateCommand,
  doctorCommand,
  keysCommand,
  group("gateway", "Run and administer the gateway", [
    gatewayServeCommand, gatewayGroupCommand, gatewayAgentCommand, gatewayTokenCommand, gatewayLoginCommand, gatewayLogoutCommand,
  ]),
  group("config", "Create and check config.yml", [configInitCommand, configValidateCommand]),
  encryptCommand,
  upgradeCommand,
  serviceCommand,
  versionCommand,
];

export async function main(argv: string[]): Promise<number> {
  // Answered here rather than by yargs: `--version` is also an option of `upgrade` and
  // `gateway group upgrade` (the version to install), which yargs' own flag would shadow.
  if (argv[0] === "--version") {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const defaultConfig = process.env.OUTPOST_CONFIG ?? "./config.yml";
  const plainRun = plainRunOptions(argv, defaultConfig);
  if (plainRun) {
    try {
      await runCommand.handler(plainRun as never);
      return Number(process.exitCode ?? 0);
    } catch (error) {
      return reportError(error, plainRun.debug) || EXIT_FAILURE;
    }
  }
  const { default: yargs } = await import("yargs");
  try {
    await yargs(argv)
      .scriptName("outpost")
      .locale("en")
      .version(false)
      .option("debug", { type: "boolean", default: false, global: true, describe: "Verbose logs; stack traces on errors" })
      .option("config", {
        type: "string",
        default: defaultConfig,
        defaultDescription: "$OUTPOST_CONFIG or ./config.yml",
        global: true,
        describe: "Path of config.yml",
      })
      .command(COMMANDS as never)
      .demandCommand(1, "name a command")
      .strict()
      .help()
      .alias("help", "h")
      .epilogue("outpost --version prints the version.")
      // yargs passes its own usage problems as `msg` and a command's failure as `err`.
      .fail((msg, err) => {
        throw err ?? new UsageError(msg, { showHelp: true });
      })
      .parseAsync();
    return Number(process.exitCode ?? 0);
  } catch (error) {
    return reportError(error, argv.includes("--debug")) || EXIT_FAILURE;
  }
}

if (!Bun.isMainThread) {
  // The compiled binary starts its SQLite worker threads at this entry (modules have no
  // files of their own there); they run the worker, not the command line.
  await import("../connectors/sqlite/sqlite-worker.ts");
} else if (import.meta.main || isEntry(Bun.main, import.meta.path)) {
  process.exitCode = await main(process.argv.slice(2));
}

/**
 * Whether this module is the one the process started. `import.meta.main` alone is false in
 * the Windows build, which has a second entry point (WinSW): the exe then did nothing at
 * all (found by test/build/windows-wine.test.ts). `Bun.main` still names this module there,
 * with the other kind of slashes.
 */
function isEntry(main: string, path: string): boolean {
  return main.replaceAll("\\", "/") === path.replaceAll("\\", "/");
}
