/**
 * @module
 * `outpost service install|uninstall|start|stop|status`: runs the agent as a system
 * service — a systemd unit on Linux, a LaunchDaemon on macOS, WinSW on Windows — with
 * restart on failure and after `outpost upgrade` (see src/service and docs/install.md).
 */
import { resolve } from "node:path";
import type { Argv } from "yargs";
import { cmd, group, type GlobalOptions } from "../command.ts";
import { UsageError } from "../errors.ts";

interface NameArgs extends GlobalOptions {
  name: string;
  "unit-dir"?: string;
}

interface InstallArgs extends NameArgs {
  user?: string;
  start: boolean;
  binary?: string;
  "read-write": string[];
  "dry-run": boolean;
}

const nameOptions = <T>(yargs: Argv<T>) =>
  yargs
    .option("name", { type: "string", default: "outpost", describe: "Service name (several agents on one host need different names)" })
    .option("unit-dir", { type: "string", describe: "Linux: write the unit here instead of /etc/systemd/system (for tests and images)" });

const installCommand = cmd<GlobalOptions, InstallArgs>({
  command: "install",
  describe: "Install the agent as a service that starts at boot and restarts on failure",
  builder: (yargs) =>
    nameOptions(yargs)
      .option("user", { type: "string", describe: "Run as this account (Linux: created with useradd --system if missing)" })
      .option("start", { type: "boolean", default: true, describe: "Enable and start it now (--no-start to only write the files)" })
      .option("binary", { type: "string", describe: "outpost binary the service runs (default: this one)" })
      .option("read-write", { type: "string", array: true, default: [], describe: "Linux: another folder the agent may write (repeatable)" })
      .option("dry-run", { type: "boolean", default: false, describe: "Print the service file(s) and the commands install would run; write and run nothing" }) as never,
  handler: async (args) => {
    const { managerFor, serviceSpec } = await import("../../service/index.ts");
    const { EXIT_UPGRADED } = await import("../../upgrade/defaults.ts");
    const binary = resolve(args.binary ?? compiledBinary());
    const spec = serviceSpec({
      name: args.name,
      binary,
      configPath: args.config,
      user: args.user,
      extraWritable: args["read-write"],
      upgradeExitCode: EXIT_UPGRADED,
    });
    const manager = managerFor({ binary, unitDir: args["unit-dir"] });
    const plan = manager.plan(spec, { start: args.start });
    // Said before anything is written: a service that cannot see its config fails only at start, in the journal.
    for (const warning of plan.warnings) process.stderr.write(`outpost: warning: ${warning}\n`);
    if (args["dry-run"]) {
      process.stdout.write(describePlan(plan));
      return;
    }
    const done = await manager.install(spec, { start: args.start });
    process.stdout.write(done.map((line) => `${line}\n`).join(""));
  },
});

const uninstallCommand = cmd<GlobalOptions, NameArgs>({
  command: "uninstall",
  describe: "Stop the service and remove its files (config.yml and the identity stay)",
  builder: (yargs) => nameOptions(yargs) as never,
  handler: async (args) => {
    const { managerFor } = await import("../../service/index.ts");
    const done = await managerFor({ binary: process.execPath, unitDir: args["unit-dir"] }).uninstall(args.name);
    process.stdout.write(done.map((line) => `${line}\n`).join(""));
  },
});

function controlCommand(action: "start" | "stop" | "status", describe: string) {
  return cmd<GlobalOptions, NameArgs>({
    command: action,
    describe,
    builder: (yargs) => nameOptions(yargs) as never,
    handler: async (args) => {
      const { managerFor } = await import("../../service/index.ts");
      process.exitCode = await managerFor({ binary: process.execPath, unitDir: args["unit-dir"] }).control(action, args.name);
    },
  });
}

/** `--dry-run`'s output: each file with its content, then each command, nothing done. */
function describePlan(plan: { files: { path: string; text: string }[]; commands: string[][] }): string {
  const files = plan.files.map((file) => `# would write ${file.path}\n${file.text.endsWith("\n") ? file.text : `${file.text}\n`}`);
  const commands = plan.commands.length ? `# would run:\n${plan.commands.map((argv) => `${argv.join(" ")}\n`).join("")}` : "# would run nothing\n";
  return `${files.join("\n")}\n${commands}`;
}

/** The running binary, when it is a compiled outpost (under `bun src/cli/main.ts` it is bun). */
function compiledBinary(): string {
  const compiled = import.meta.path.includes("$bunfs") || import.meta.path.includes("~BUN");
  if (!compiled) throw new UsageError("not running from a compiled outpost binary; pass --binary PATH of the outpost binary the service should run");
  return process.execPath;
}

export const serviceCommand = group("service", "Run the agent as a system service (systemd, launchd, Windows)", [
  installCommand,
  uninstallCommand,
  controlCommand("start", "Start the installed service"),
  controlCommand("stop", "Stop the service (in-flight requests finish first)"),
  controlCommand("status", "Show the service manager's view of the agent"),
]);
