/**
 * @module
 * What the `outpost gateway group|agent|token` commands share: the `--data-dir` and
 * `--json` options, opening the store for one command (safe beside a running gateway:
 * SQLite WAL plus a busy timeout), plain tables for people and JSON for scripts.
 * Refusals come out of `AdminService` as GatewayErrors with one-line messages; bad input
 * becomes a UsageError (exit code 2).
 */
import type { Argv } from "yargs";
import type { AdminService } from "../../gateway/admin/admin-service.ts";
import type { GatewayStore } from "../../gateway/store/store.ts";
import type { GlobalOptions } from "../command.ts";
import { UsageError } from "../errors.ts";

/** Where output goes; tests pass their own through yargs' parse context. */
export type Out = (text: string) => void;

export interface GatewayCliOptions extends GlobalOptions {
  /** Folder of `gateway.db`. Defaults to `$OUTPOST_GATEWAY_DATA` or `./gateway-data`. */
  dataDir: string;
  json: boolean;
  out?: Out;
}

/** `--data-dir`: where gateway.db lives (what `gateway serve` needs). */
export function withDataDir<T>(yargs: Argv<T>) {
  return yargs.option("data-dir", {
    type: "string",
    default: process.env.OUTPOST_GATEWAY_DATA ?? "./gateway-data",
    defaultDescription: "$OUTPOST_GATEWAY_DATA or ./gateway-data",
    describe: "Folder of the gateway's gateway.db",
  });
}

/** `--data-dir` and `--json`: the options of the administration commands. */
export function withStoreOptions<T>(yargs: Argv<T>) {
  return withDataDir(yargs).option("json", { type: "boolean", default: false, describe: "Print JSON for scripts instead of a table" });
}

export function outOf(args: { out?: Out }): Out {
  return args.out ?? ((text) => process.stdout.write(text));
}

/** Opens the store and an AdminService on it for one command (changes audited to `<data-dir>/audit.log`), and always closes it. */
export async function withAdmin<R>(dataDir: string, run: (service: AdminService, store: GatewayStore) => Promise<R>): Promise<R> {
  const { openGatewayStore } = await import("../../gateway/store/open-gateway-store.ts");
  const { AdminService } = await import("../../gateway/admin/admin-service.ts");
  const { isGatewayError } = await import("../../gateway/http-errors.ts");
  const { localAudit } = await import("../../gateway/admin/local-audit.ts");
  const store = await openGatewayStore(dataDir);
  const audit = localAudit(dataDir);
  try {
    return await run(new AdminService({ store, audit: audit.sink }), store);
  } catch (error) {
    if (isGatewayError(error) && error.code === "BAD_REQUEST") throw new UsageError(error.message, { cause: error });
    throw error;
  } finally {
    audit.close();
    await store.close();
  }
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

/** The public URL for `outpost activate` lines: the flag, else what the gateway recorded at start. */
export async function gatewayUrlFor(store: GatewayStore, flag: string | undefined): Promise<string | undefined> {
  if (flag) return flag;
  const recorded = await store.getSetting(PUBLIC_URL_SETTING);
  return typeof recorded === "string" ? recorded : undefined;
}

/** Settings key under which `outpost gateway serve` records its public URL for the CLI. */
export const PUBLIC_URL_SETTING = "publicUrl";
