/**
 * @module
 * What the `outpost gateway …` commands share: the options naming the gateway (`--gateway`,
 * `--token`, `--ca`, or `--data-dir` on its host; see admin-target.ts), the output format
 * (`-o json|wide`, `--json` for `-o json`), and plain tables for people. Times are printed
 * as the API gives them: ISO 8601 in UTC.
 */
import type { Argv } from "yargs";
import type { TargetArgs } from "../admin-target.ts";
import type { GlobalOptions } from "../command.ts";

/** Where output goes; tests pass their own through yargs' parse context. */
export type Out = (text: string) => void;

/** What `gateway serve` takes (its `--data-dir` creates the store on first start). */
export interface GatewayCliOptions extends GlobalOptions {
  /** Folder of `gateway.db`. Defaults to `$OUTPOST_GATEWAY_DATA` or `./gateway-data`. */
  dataDir: string;
  json: boolean;
  out?: Out;
}

export type OutputFormat = "table" | "json" | "wide";

/** What every admin command takes. */
export interface AdminCliOptions extends GlobalOptions, TargetArgs {
  output?: "json" | "wide";
  json: boolean;
  out?: Out;
}

/** `--data-dir` for `gateway serve`: where gateway.db lives, created on first start. */
export function withDataDir<T>(yargs: Argv<T>) {
  return yargs.option("data-dir", {
    type: "string",
    default: process.env.OUTPOST_GATEWAY_DATA ?? "./gateway-data",
    defaultDescription: "$OUTPOST_GATEWAY_DATA or ./gateway-data",
    describe: "Folder of the gateway's gateway.db",
  });
}

/** The options of the administration commands: which gateway, and how to print. */
export function withAdminOptions<T>(yargs: Argv<T>) {
  return yargs
    .option("gateway", { type: "string", describe: "Gateway URL, https://… (default: $OUTPOST_GATEWAY_URL, else the `gateway login` context)" })
    .option("token", { type: "string", describe: "Admin API token (default: $OUTPOST_GATEWAY_TOKEN, else the saved context's)" })
    .option("ca", { type: "string", describe: "PEM file of the CA that signed the gateway's certificate (default: $OUTPOST_GATEWAY_CA)" })
    .option("data-dir", { type: "string", describe: "On the gateway's host: work on the store in this folder instead of the API" })
    .option("store", { type: "string", describe: "Work on the gateway's PostgreSQL store (postgres://…) instead of the API; audit lines go to stderr" })
    .option("output", { alias: "o", choices: ["json", "wide"] as const, describe: "json for scripts, wide for more columns" })
    .option("json", { type: "boolean", default: false, describe: "Same as -o json" });
}

export function formatOf(args: Pick<AdminCliOptions, "output" | "json">): OutputFormat {
  return args.json ? "json" : (args.output ?? "table");
}

export function outOf(args: { out?: Out }): Out {
  return args.out ?? ((text) => process.stdout.write(text));
}

export function printJson(out: Out, value: unknown): void {
  out(`${JSON.stringify(value, null, 2)}\n`);
}

/** Left-aligned columns separated by two spaces; `-` for empty cells. */
export function formatTable(headers: string[], rows: (string | number | null | undefined)[][]): string {
  const cells = [headers, ...rows.map((row) => row.map((cell) => (cell === null || cell === undefined || cell === "" ? "-" : String(cell))))];
  const widths = headers.map((_, column) => Math.max(...cells.map((row) => row[column]!.length)));
  return cells.map((row) => row.map((cell, column) => cell.padEnd(widths[column]!)).join("  ").trimEnd()).join("\n") + "\n";
}

/** Settings key under which `outpost gateway serve` records its public URL for the CLI. */
export const PUBLIC_URL_SETTING = "publicUrl";
