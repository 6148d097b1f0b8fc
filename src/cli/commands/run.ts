/**
 * @module
 * `outpost run`: the agent. Loads config.yml (every problem reported with its position),
 * connects to the gateway named in its `gateway:` section and serves requests until
 * SIGTERM or SIGINT, then finishes in-flight requests within `agent.shutdown_grace` and
 * exits 0.
 */
import { dirname } from "node:path";
import { cmd, type GlobalOptions } from "../command.ts";
import { VERSION } from "../version.ts";

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
    await new Promise<void>((resolve) => {
      const stop = (signal: string) => {
        logger.info("signal received", { signal });
        void agent.shutdown().finally(resolve);
      };
      process.once("SIGTERM", () => stop("SIGTERM"));
      process.once("SIGINT", () => stop("SIGINT"));
    });
    close();
  },
});
