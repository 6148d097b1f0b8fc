/**
 * @module
 * `bun run build`: compiles `src/cli/main.ts` into one executable per target under `dist/`.
 *
 *   bun run build                          every target in build/targets.ts
 *   bun run build --target linux-x64       one target (repeat, or comma-separate, for several)
 *   bun run build --version 1.2.3          inline another version (default: package.json's)
 *   bun run build --out DIR                write elsewhere (default: dist/)
 *   bun run build --entry FILE             compile another entry (tests use a fixture)
 *   bun run build --no-bytecode            skip bytecode (smaller, slower start-up)
 *   bun run build --no-bytecode-order      skip the profile-guided bytecode layout (build/bytecode-order.ts)
 *   bun run build --release-keys K1[,K2]   trust these release keys instead of release-keys.ts (tests)
 *
 * Cross-compiling fetches each target's Bun runtime from the npm registry once and caches it.
 * Exit codes: 0 built, 1 a build failed, 2 bad arguments.
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { recordBytecodeOrder } from "./bytecode-order.ts";
import { BuildError, compileTarget, type CompileResult } from "./compile.ts";
import { findTarget, TARGETS, type BuildTarget } from "./targets.ts";

const ROOT = resolve(import.meta.dir, "..");

interface BuildArgs {
  readonly targets: readonly BuildTarget[];
  readonly version: string;
  readonly outDir: string;
  readonly entry: string;
  readonly bytecode: boolean;
  readonly profileBytecode: boolean;
  readonly releaseKeys?: string;
}

class UsageError extends Error {}

async function parseBuildArgs(argv: string[]): Promise<BuildArgs> {
  const { values } = parseArgs({
    args: argv,
    options: {
      target: { type: "string", multiple: true },
      version: { type: "string" },
      out: { type: "string" },
      entry: { type: "string" },
      "no-bytecode": { type: "boolean" },
      "no-bytecode-order": { type: "boolean" },
      "release-keys": { type: "string" },
    },
    strict: true,
  });
  const names = (values.target ?? []).flatMap((t) => t.split(",")).filter((t) => t !== "");
  const targets = names.length === 0 ? TARGETS : names.map(requireTarget);
  const pkg = JSON.parse(await readFile(join(ROOT, "package.json"), "utf8")) as { version: string };
  const version = values.version ?? pkg.version;
  if (!/^[0-9A-Za-z.+-]+$/.test(version)) throw new UsageError(`invalid --version ${JSON.stringify(version)}`);
  const entry = resolve(values.entry ?? join(ROOT, "src/cli/main.ts"));
  if (!existsSync(entry)) throw new UsageError(`entry ${displayPath(entry)} does not exist`);
  return { targets, version, outDir: resolve(values.out ?? join(ROOT, "dist")), entry, bytecode: !values["no-bytecode"],
    // The profile comes from running `outpost dev`: only the real CLI has it.
    profileBytecode: !values["no-bytecode"] && !values["no-bytecode-order"] && values.entry === undefined, releaseKeys: values["release-keys"] };
}

function requireTarget(name: string): BuildTarget {
  const found = findTarget(name);
  if (!found) throw new UsageError(`unknown target "${name}"; known: ${TARGETS.map((t) => t.name).join(", ")}`);
  return found;
}

/** Relative to the working directory when inside it, else absolute. */
function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel === "" || rel.startsWith("..") ? path : rel;
}

function printTable(results: readonly CompileResult[]): void {
  const rows = results.map((r) => [r.target.name, displayPath(r.path), `${(r.bytes / 2 ** 20).toFixed(1)} MiB`]);
  const all = [["target", "file", "size"], ...rows];
  const widths = [0, 1, 2].map((i) => Math.max(...all.map((row) => row[i]!.length)));
  for (const row of all) console.log(row.map((cell, i) => (i === 2 ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join("  "));
}

async function main(): Promise<number> {
  let args: BuildArgs;
  try {
    args = await parseBuildArgs(process.argv.slice(2));
  } catch (error) {
    console.error(`build: ${error instanceof Error ? error.message : String(error)}`);
    return 2;
  }
  console.log(`building outpost ${args.version} for ${args.targets.map((t) => t.name).join(", ")}`);
  const results: CompileResult[] = [];
  let order: Awaited<ReturnType<typeof recordBytecodeOrder>>;
  try {
    order = args.profileBytecode ? await recordBytecodeOrder(args) : undefined;
    for (const target of args.targets) results.push(await compileTarget({ ...args, target, bytecodeOrder: order?.path }));
  } catch (error) {
    if (!(error instanceof BuildError)) throw error;
    console.error(error.message);
    return 1;
  } finally {
    order?.dispose();
  }
  printTable(results);
  return 0;
}

process.exit(await main());
