/**
 * @module
 * `outpost run`: the agent. Loads config.yml (every problem reported with its position),
 * connects to the gateway named in its `gateway:` section and serves requests until
 * SIGTERM or SIGINT, then finishes in-flight requests within `agent.shutdown_grace` and
 * exits 0. After an upgrade asked for by the gateway it drains the same way and exits
 * with EXIT_UPGRADED (75) so its service manager starts the new binary.
 */
import { dirname } from "node:path";
import { cmd, type GlobalOptions } from "../command.ts";
import { VERSION } from "../version.ts";

/**
 * The options of `run [--config PATH | --config=PATH] [--debug]`, the form service managers
 * start the agent with, or `undefined` for anything else (help, unknown flags, other
 * commands), which yargs then parses. main.ts uses it to start the agent without loading
 * yargs, which would stay resident for the life of the process (~5 MiB heap, ~14 MiB code).
 */
export function plainRunOptions(argv: readonly string[], defaultConfig: string): GlobalOptions | undefined {
  if (argv[0] !== "run") return undefined;
  const options: GlobalOptions = { config: defaultConfig, debug: false };
  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--debug") options.debug = true;
    else if (arg.startsWith("--config=")) options.config = arg.slice("--config=".length);
    else if (arg === "--config" && argv[i + 1] !== undefined && !argv[i + 1]!.startsWith("-")) options.config = argv[++i]!;
    else return undefined;
  }
  return options;
}

export const runCommand = cmd<GlobalOptions, GlobalOptions>({
  command: "run",
  describe: "Run the agent: connect to the gateway and serve requests",
  handler: async (args) => {
    const { loadConfig } = await import("../../config/load.ts");
    const { formatIssue } = await import("../../config/errors.ts");
    const { proxyFor } = await import("../../config/proxy.ts");
    const { createLoggerFromConfig } = await import("../../log/from-config.ts");
    const { startAgent } = await import("../../agent/agent.ts");
    const loaded = await loadConfig(args.config);
    await refuseWithoutIdentity(loaded);
    const { logger, close } = createLoggerFromConfig(loaded.config.logging, {
      component: "agent",
      baseDir: dirname(loaded.path),
      level: args.debug ? "debug" : undefined,
    });
    for (const warning of loaded.warnings) logger.warn(`config: ${formatIssue(warning)}`);
    const gatewayUrl = loaded.config.gateway?.url;
    const agent = await startAgent({
      loaded,
      version: VERSION,
      log: logger,
      proxy: gatewayUrl ? proxyFor(gatewayUrl.replace(/^ws/, "http"), loaded.config.proxy) : undefined,
    });
    const exitCode = await new Promise<number>((resolve) => {
      const stop = (reason: string, code: number) => {
        logger.info("stopping", { reason });
        void agent.shutdown().finally(() => resolve(code));
      };
      process.once("SIGTERM", () => stop("SIGTERM", 0));
      process.once("SIGINT", () => stop("SIGINT", 0));
      // After an upgrade the new binary is in place: exit with the code that makes
      // systemd, launchd or the Windows service wrapper start it.
      void agent.restartRequested.then((code) => stop("restarting into the upgraded binary", code));
    });
    close();
    process.exitCode = exitCode;
  },
});

/**
 * One clear line, with the command to run, when this host is not activated (rather than the
 * identity file's ENOENT) or the gateway's CA file is missing. Other file problems fail only
 * their profile, which `outpost doctor` reports.
 */
async function refuseWithoutIdentity(loaded: import("../../config/load.ts").LoadedConfig): Promise<void> {
  const { checkIdentity } = await import("../../agent/doctor/identity-check.ts");
  const { checkFiles } = await import("../../agent/doctor/file-checks.ts");
  const identity = checkIdentity(loaded);
  const ca = checkFiles(loaded).find((result) => result.subject === "gateway.ca" && result.verdict === "fail");
  const problem = identity.verdict === "fail" ? identity : ca;
  if (!problem) return;
  const { UsageError } = await import("../errors.ts");
  const what = problem === identity ? `${identity.subject}: ${identity.detail}` : `gateway.ca: ${problem.detail}`;
  throw new UsageError(`cannot start: ${what}; ${problem.hint}`);
}
