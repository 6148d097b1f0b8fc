/**
 * @module
 * The release matrix as data: one entry per executable that `bun run build` produces.
 * Adding a platform is adding a row here; build.ts, the tests and the docs read this list.
 */

/** Executable container format of a target's output, checked by the build tests. */
export type ExecutableFormat = "elf" | "pe" | "mach-o";

export interface BuildTarget {
  /** Short name used on the command line (`--target linux-x64`) and in the file name. */
  readonly name: string;
  /** Bun's compile target. */
  readonly bunTarget: Bun.Build.CompileTarget;
  /** Output file name under the output folder. */
  readonly outfile: string;
  readonly format: ExecutableFormat;
}

function target(name: string, format: ExecutableFormat): BuildTarget {
  const suffix = format === "pe" ? ".exe" : "";
  return { name, bunTarget: `bun-${name}` as Bun.Build.CompileTarget, outfile: `outpost-${name}${suffix}`, format };
}

/** Every target Bun 1.4.5 can cross-compile to from Linux, in the order they are built. */
export const TARGETS: readonly BuildTarget[] = [
  target("linux-x64", "elf"),
  target("linux-arm64", "elf"),
  target("linux-x64-musl", "elf"),
  target("linux-arm64-musl", "elf"),
  target("windows-x64", "pe"),
  target("windows-arm64", "pe"),
  target("darwin-x64", "mach-o"),
  target("darwin-arm64", "mach-o"),
];

/** Looks a target up by its short name; undefined when unknown. */
export function findTarget(name: string): BuildTarget | undefined {
  return TARGETS.find((t) => t.name === name);
}
