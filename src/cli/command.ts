/**
 * @module
 * A tiny typed helper for yargs commands, one per file in `commands/`. `cmd` only fixes
 * the types; `group` makes a parent (`outpost config ...`) from its subcommands.
 */
import type { Argv, CommandModule } from "yargs";

/** Options every command gets from main.ts. */
export interface GlobalOptions {
  debug: boolean;
  /** Path of config.yml. Defaults to `$OUTPOST_CONFIG` or `./config.yml`. */
  config: string;
}

export function cmd<T = GlobalOptions, U = T>(command: CommandModule<T, U>): CommandModule<T, U> {
  return command;
}

/** A parent command whose only job is to hold subcommands. */
export function group(name: string, describe: string, subcommands: CommandModule<any, any>[]): CommandModule<GlobalOptions, GlobalOptions> {
  return {
    command: `${name} <command>`,
    describe,
    builder: (yargs: Argv<GlobalOptions>) => {
      for (const sub of subcommands) yargs.command(sub);
      return yargs.demandCommand(1, `${name} needs a subcommand`);
    },
    handler: () => {},
  };
}
