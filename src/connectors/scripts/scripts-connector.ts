/**
 * @module
 * The scripts connector: runs only the commands a profile lists, as argv arrays without a
 * shell, after checking the parameters. How many run at once (`concurrency_limit`) is the
 * managed wrapper's per-profile limit, like every other kind's (see registry.ts); this
 * class adds no limiter of its own. The child's environment is a small allowlist of the agent's
 * (PATH, HOME, locale, temp folders) plus the command's own `env`, so secrets the agent
 * was started with do not leak into scripts.
 */
import type { ScriptsProfile } from "../../config/types.ts";
import type { CallContext, JsonValue, ScriptResult, ScriptsConnector } from "../connector.ts";
import { throwIfAborted } from "../context.ts";
import type { ConnectorDeps } from "../deps.ts";
import { ConnectorError } from "../errors.ts";
import { runProcess } from "./process-run.ts";
import { buildArgv, checkCommand, validateParams } from "./script-params.ts";

/** Variables of the agent's environment a script inherits. */
const INHERITED_ENV = ["PATH", "HOME", "USER", "LANG", "LC_ALL", "TZ", "TMPDIR", "TEMP", "TMP", "SystemRoot", "windir", "ComSpec", "PATHEXT"];

export interface ScriptsConnectorOptions {
  profile: ScriptsProfile;
}

export class ProcessScriptsConnector implements ScriptsConnector {
  readonly kind = "scripts";
  readonly #profile: ScriptsProfile;

  constructor(options: ScriptsConnectorOptions) {
    this.#profile = options.profile;
    for (const [name, command] of Object.entries(options.profile.commands ?? {})) checkCommand(name, command);
  }

  async close(): Promise<void> {}

  async run(script: string, params: Record<string, JsonValue>, ctx: CallContext): Promise<ScriptResult> {
    throwIfAborted(ctx.signal);
    const command = Object.hasOwn(this.#profile.commands ?? {}, script) ? this.#profile.commands[script] : undefined;
    if (!command) throw new ConnectorError("NOT_FOUND", `no script named "${script}" in this profile`);
    const argv = buildArgv(command, validateParams(command, params ?? {}));
    ctx.log.info("script start", { script, program: argv[0] });
    const result = await runProcess(argv, {
      cwd: command.cwd,
      env: { ...inheritedEnv(), ...command.env },
      timeoutMs: (command.timeout ?? this.#profile.timeout ?? 90) * 1000,
      maxOutput: this.#profile.max_output ?? 1_048_576,
      signal: ctx.signal,
    });
    ctx.log.info("script end", { script, exitCode: result.exitCode, truncated: result.truncated });
    return result;
  }
}

function inheritedEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of INHERITED_ENV) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}

/** The factory the registry calls for a `scripts:` profile. */
export function createScriptsConnector(profile: ScriptsProfile, _deps: ConnectorDeps): ProcessScriptsConnector {
  return new ProcessScriptsConnector({ profile });
}
