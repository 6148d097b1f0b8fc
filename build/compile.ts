/**
 * @module
 * Compiles the CLI into one standalone executable for one target with Bun's JS API.
 *
 * Every executable gets the same settings, chosen once here:
 * - the version is inlined as `OUTPOST_VERSION` (read by `src/cli/version.ts`);
 * - `.env` and `bunfig.toml` autoload are off, so files in a customer's working directory
 *   cannot change the agent (a `.env` with `NODE_TLS_REJECT_UNAUTHORIZED=0` would otherwise
 *   take effect);
 * - ESM bytecode by default: start-up drops from ~134 ms to ~50 ms. Bytecode needs
 *   `format: "esm"` (the CJS default crashes on `import.meta` in yargs and libsodium);
 * - the config schema's validator is ajv's standalone code generated now, not compiled at
 *   start-up (build/schema-validator-plugin.ts).
 */
import { mkdir, stat } from "node:fs/promises";
import { join } from "node:path";
import type { BuildTarget } from "./targets.ts";
import { schemaValidatorPlugin } from "./schema-validator-plugin.ts";
import { ensureWinsw } from "./winsw.ts";

export interface CompileOptions {
  /** Entry file of the CLI (absolute path). */
  readonly entry: string;
  readonly target: BuildTarget;
  /** Folder the executable is written to; created when missing. */
  readonly outDir: string;
  /** Version string inlined as `OUTPOST_VERSION`. */
  readonly version: string;
  /** Precompile to bytecode (with ESM output). Defaults to `true`. */
  readonly bytecode?: boolean;
  /** A bytecode profile (build/bytecode-order.ts) laying out used functions first. Needs `bytecode`. */
  readonly bytecodeOrder?: string;
  /** Comma-separated base64 Ed25519 keys inlined as `OUTPOST_RELEASE_KEYS`, replacing src/upgrade/release-keys.ts's list. */
  readonly releaseKeys?: string;
}

export interface CompileResult {
  readonly target: BuildTarget;
  /** Absolute path of the executable. */
  readonly path: string;
  /** Size of the executable in bytes. */
  readonly bytes: number;
}

/** Thrown when Bun reports a failed build; `message` carries Bun's log lines. */
export class BuildError extends Error {
  readonly code = "BUILD_FAILED";
  readonly retryable = false;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "BuildError";
  }
}

/** Builds one executable; rejects with {@link BuildError} when Bun cannot. */
export async function compileTarget(options: CompileOptions): Promise<CompileResult> {
  const { entry, target, outDir, version } = options;
  const bytecode = options.bytecode ?? true;
  await mkdir(outDir, { recursive: true });
  const outfile = join(outDir, target.outfile);
  let result: Bun.BuildOutput;
  try {
    result = await Bun.build({
      // Extra entrypoints are embedded as files (Bun.embeddedFiles): WinSW for Windows services.
      entrypoints: target.format === "pe" ? [entry, await ensureWinsw()] : [entry],
      plugins: [schemaValidatorPlugin],
      compile: { target: target.bunTarget, outfile, autoloadDotenv: false, autoloadBunfig: false, ...(bytecode && options.bytecodeOrder ? { bytecodeOrder: options.bytecodeOrder } : {}) },
      define: { OUTPOST_VERSION: JSON.stringify(version), ...(options.releaseKeys === undefined ? {} : { OUTPOST_RELEASE_KEYS: JSON.stringify(options.releaseKeys) }) },
      // Identifiers stay readable so stack traces from customers' machines name our functions.
      minify: { whitespace: true, syntax: true, identifiers: false },
      ...(bytecode ? { bytecode: true, format: "esm" as const } : {}),
      throw: false,
    });
  } catch (cause) {
    throw new BuildError(`${target.name}: ${String(cause)}`, { cause });
  }
  if (!result.success) {
    const lines = result.logs.map((log) => `  ${String(log)}`).join("\n");
    throw new BuildError(`${target.name}: build failed\n${lines}`);
  }
  return { target, path: outfile, bytes: (await stat(outfile)).size };
}
