/**
 * @module
 * `outpost config validate`: loads config.yml exactly as the agent would (sources
 * resolved, secrets decrypted) and prints every problem with file:line:column and key path.
 * Warnings do not fail; errors exit 2. Success prints one line summarising the profiles.
 */
import { cmd, type GlobalOptions } from "../command.ts";

export const configValidateCommand = cmd<GlobalOptions, GlobalOptions>({
  command: "validate",
  describe: "Check config.yml and print every problem with its position",
  handler: async (args) => {
    const { loadConfig } = await import("../../config/load.ts");
    const { formatIssue, isConfigError } = await import("../../config/errors.ts");
    const { PROFILE_KINDS } = await import("../../config/types.ts");
    const { createLogger } = await import("../../log/logger.ts");
    const logger = args.debug ? createLogger("config", { level: "debug" }) : undefined;
    const warn = (text: string) => process.stderr.write(`outpost: warning: ${text}\n`);
    try {
      const loaded = await loadConfig(args.config, { logger });
      for (const issue of loaded.warnings) warn(formatIssue(issue));
      const kinds = PROFILE_KINDS.flatMap((kind) => {
        const names = Object.keys(loaded.config[kind] ?? {});
        return names.length > 0 ? [`${kind}: ${names.join(", ")}`] : [];
      });
      const warnings = loaded.warnings.length > 0 ? ` (${loaded.warnings.length} warning(s))` : "";
      process.stdout.write(`${args.config.replace(/^\.\//, "")} is valid${warnings}; ${kinds.length > 0 ? kinds.join("; ") : "no profiles"}\n`);
    } catch (error) {
      if (isConfigError(error)) for (const issue of error.issues.filter((i) => i.severity === "warning")) warn(formatIssue(issue));
      throw error;
    }
  },
});
