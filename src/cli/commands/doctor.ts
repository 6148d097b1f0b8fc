/**
 * @module
 * `outpost doctor`: checks everything the agent needs before it is needed — the files
 * config.yml names, the identity, each profile's target, the gateway through the proxy, the
 * clock — and prints one line per check (ok / warn / FAIL) with what to do. Exits 1 when a
 * check failed, 2 when config.yml itself does not load. `--json` prints the results as a
 * JSON array instead. `config validate --online` runs the same checks.
 */
import { cmd, type GlobalOptions } from "../command.ts";

interface DoctorArgs extends GlobalOptions {
  json: boolean;
  timeout: number;
}

export const doctorCommand = cmd<GlobalOptions, DoctorArgs>({
  command: "doctor",
  describe: "Check config files, identity, profiles, the gateway and the clock; say what to fix",
  builder: (yargs) =>
    yargs
      .option("json", { type: "boolean", default: false, describe: "Print the results as JSON" })
      .option("timeout", { type: "number", default: 5, describe: "Seconds each profile and the gateway get to answer" }) as never,
  handler: async (args) => {
    const { loadConfig } = await import("../../config/load.ts");
    const loaded = await loadConfig(args.config);
    await printDoctor(loaded, { json: args.json, timeoutSeconds: args.timeout });
  },
});

/** Runs the checks, prints them, and sets a failing exit code when one failed (shared with `config validate --online`). */
export async function printDoctor(loaded: import("../../config/load.ts").LoadedConfig, options: { json: boolean; timeoutSeconds?: number }): Promise<void> {
  const { anyFailed, runDoctor } = await import("../../agent/doctor/doctor.ts");
  const { formatCheck } = await import("../../agent/doctor/check.ts");
  const { formatIssue } = await import("../../config/errors.ts");
  const results = await runDoctor(loaded, { timeoutSeconds: options.timeoutSeconds });
  const failed = anyFailed(results);
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ ok: !failed, config: loaded.path, warnings: loaded.warnings.map(formatIssue), checks: results }, null, 2)}\n`);
  } else {
    for (const warning of loaded.warnings) process.stdout.write(`warn config ${formatIssue(warning)}\n`);
    for (const result of results) process.stdout.write(`${formatCheck(result)}\n`);
    const count = (verdict: string) => results.filter((r) => r.verdict === verdict).length;
    process.stdout.write(`${count("fail")} failed, ${count("warn")} warning(s), ${count("ok")} ok\n`);
  }
  if (failed) process.exitCode = 1;
}
