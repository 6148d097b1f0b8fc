/**
 * @module
 * `outpost config init`: writes the commented starter config.yml. Never replaces an
 * existing file unless `--force`; the write is atomic either way. The two example paths
 * the starter's profiles name (an empty SQLite database, a folder to serve) are made beside
 * it when missing, so the starter validates as written (`config validate` checks that the
 * files a config names exist).
 */
import { closeSync, existsSync, mkdirSync, openSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { cmd, type GlobalOptions } from "../command.ts";
import { UsageError } from "../errors.ts";

interface InitOptions extends GlobalOptions {
  path?: string;
  force: boolean;
}

export const configInitCommand = cmd<GlobalOptions, InitOptions>({
  command: "init",
  describe: "Write a starter config.yml with one example of each profile kind",
  builder: (yargs) =>
    yargs
      .option("path", { type: "string", describe: "Where to write it (defaults to --config)" })
      .option("force", { type: "boolean", default: false, describe: "Replace an existing file" }),
  handler: async (args) => {
    const { writeFileAtomic } = await import("../../crypto/atomic-file.ts");
    const { STARTER_CONFIG } = await import("../../config/starter.ts");
    const target = resolve(args.path ?? args.config);
    mkdirSync(dirname(target), { recursive: true });
    try {
      writeFileAtomic(target, STARTER_CONFIG, { mode: 0o644, exclusive: !args.force });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EEXIST") {
        throw new UsageError(`${target} already exists; use --force to replace it`);
      }
      throw error;
    }
    const folder = dirname(target);
    if (!existsSync(join(folder, "local.db"))) closeSync(openSync(join(folder, "local.db"), "a", 0o644));
    mkdirSync(join(folder, "shared"), { recursive: true });
    process.stdout.write(`wrote ${target} (and the example profiles' ./local.db and ./shared)\nnext: edit it, then run \`outpost config validate --config ${target}\`\n`);
  },
});
