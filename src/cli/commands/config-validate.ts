/**
 * @module
 * `outpost config validate`: loads config.yml exactly as the agent would (sources
 * resolved, secrets decrypted), checks that the files it names exist, and prints every
 * problem with file:line:column and key path. Warnings (unknown keys, not activated yet) do
 * not fail; errors exit 2. Success prints one line summarising the profiles. `--online`
 * then runs the checks of `outpost doctor` (profiles' targets, the gateway, the clock).
 */
import { cmd, type GlobalOptions } from "../command.ts";

interface ValidateArgs extends GlobalOptions {
  online: boolean;
  json: boolean;
}

export const configValidateCommand = cmd<GlobalOptions, ValidateArgs>({
  command: "validate",
  describe: "Check config.yml and print every problem with its position",
  builder: (yargs) =>
    yargs
      .option("online", { type: "boolean", default: false, describe: "Also run `outpost doctor`'s checks: databases, HTTP targets, the gateway, the clock" })
      .option("json", { type: "boolean", default: false, describe: "With --online: print the checks as JSON" }) as never,
  handler: async (args) => {
    const { loadConfig } = await import("../../config/load.ts");
    const { formatIssue, isConfigError } = await import("../../config/errors.ts");
    const { PROFILE_KINDS } = await import("../../config/types.ts");
    const { createLogger } = await import("../../log/logger.ts");
    const logger = args.debug ? createLogger("config", { level: "debug" }) : undefined;
    const warn = (text: string) => process.stderr.write(`outpost: warning: ${text}\n`);
    try {
      // Online, the file checks are doctor's lines (with the rest), not a stop before them.
      const loaded = await loadConfig(args.config, { logger, checkFiles: !args.online });
      if (args.online) {
        const { printDoctor } = await import("./doctor.ts");
        return await printDoctor(loaded, { json: args.json });
      }
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
