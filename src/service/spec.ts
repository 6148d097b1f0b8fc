/**
 * @module
 * What every service manager needs to know about the agent it runs: the binary, the
 * config, the account, and the folders the agent writes to. The folders come from
 * config.yml (read as plain YAML, so secrets that only the service's environment can
 * resolve do not block the install).
 */
import { dirname, isAbsolute, relative, resolve } from "node:path";
import { readRawConfig } from "../config/raw.ts";
import type { OutpostConfig } from "../config/types.ts";
import { ServiceError } from "./errors.ts";
import type { NeededPath } from "./sandbox.ts";

export interface ServiceSpec {
  /** Service name (systemd unit, WinSW id). Defaults to `outpost`. */
  name: string;
  /** Absolute path of the outpost binary. */
  binary: string;
  /** Absolute path of config.yml. */
  configPath: string;
  /** Account to run as; root / LocalSystem when undefined. */
  user?: string;
  /** Folders the agent writes to (see `writablePaths`). */
  readWritePaths: string[];
  /** Where launchd and WinSW put the agent's stdout/stderr. */
  logDir: string;
  /** Exit code of `outpost upgrade` after a swap; the manager must start the new binary. */
  upgradeExitCode: number;
  /** Seconds the manager waits after SIGTERM: the agent's shutdown grace plus 15. */
  stopTimeoutSeconds: number;
  /** Files and folders config.yml makes the agent open, for the sandbox check (sandbox.ts). */
  neededPaths: NeededPath[];
}

export interface SpecOptions {
  name?: string;
  binary: string;
  configPath: string;
  user?: string;
  /** Extra folders to make writable (e.g. what a script profile writes). */
  extraWritable?: string[];
  upgradeExitCode: number;
}

/** Reads config.yml and derives the spec. Throws CONFIG_UNREADABLE. */
export function serviceSpec(options: SpecOptions): ServiceSpec {
  const configPath = resolve(options.configPath);
  let config: OutpostConfig;
  try {
    config = readRawConfig(configPath) as OutpostConfig;
  } catch (error) {
    throw new ServiceError("CONFIG_UNREADABLE", `cannot read ${configPath}: ${(error as Error).message}`, { cause: error });
  }
  const base = dirname(configPath);
  const logFile = config.logging?.file?.path;
  const logDir = logFile ? dirname(resolve(base, logFile)) : resolve(base, "logs");
  return {
    name: options.name ?? "outpost",
    binary: resolve(options.binary),
    configPath,
    user: options.user,
    readWritePaths: writablePaths(config, base, resolve(options.binary), logDir, options.extraWritable ?? []),
    logDir,
    upgradeExitCode: options.upgradeExitCode,
    stopTimeoutSeconds: (config.agent?.shutdown_grace ?? 30) + 15,
    neededPaths: neededPaths(config, configPath, logDir),
  };
}

/**
 * The paths config.yml makes the agent open: the config, its identity, CA and key files,
 * profile bases and database files, TLS files, extension modules and script folders. Read
 * as plain YAML: a value still holding `${...}` is skipped (only the service can resolve it).
 */
export function neededPaths(config: OutpostConfig, configPath: string, logDir: string): NeededPath[] {
  const base = dirname(configPath);
  const out: NeededPath[] = [{ path: configPath, what: "the config file" }, { path: logDir, what: "the log folder", write: true }];
  const add = (value: unknown, what: string, write = false) => {
    if (typeof value === "string" && value !== "" && value !== ":memory:" && !value.includes("${")) out.push({ path: resolve(base, value), what, write });
  };
  add(config.gateway?.identity ?? "identity.json", "gateway.identity", true);
  add(config.gateway?.ca, "gateway.ca");
  add(config.secrets?.key_file, "secrets.key_file");
  for (const [name, profile] of Object.entries(config.files ?? {})) add(profile?.base, `files.${name}.base`, !profile?.readonly);
  for (const [name, profile] of Object.entries(config.databases ?? {})) {
    if (profile?.adapter === "sqlite") add(profile.path, `databases.${name}.path`, !profile.readonly);
    for (const key of ["ca", "cert", "key"] as const) add(profile?.ssl?.[key], `databases.${name}.ssl.${key}`);
  }
  for (const [name, profile] of Object.entries(config.http ?? {})) {
    for (const key of ["ca", "cert", "key"] as const) if (!profile?.tls?.[key]?.includes("-----BEGIN")) add(profile?.tls?.[key], `http.${name}.tls.${key}`);
  }
  for (const [name, profile] of Object.entries(config.extensions ?? {})) add(profile?.module, `extensions.${name}.module`);
  for (const [name, profile] of Object.entries(config.scripts ?? {})) {
    for (const [command, script] of Object.entries(profile?.commands ?? {})) add(script?.cwd, `scripts.${name}.commands.${command}.cwd`);
  }
  return out;
}

/**
 * The folders the agent writes to: config.yml's folder (identity rotation, activation),
 * the log folder, the binary's folder (self-upgrade swaps the file there), writable files
 * profiles and SQLite database folders (journals), plus `extra`. Nested paths are dropped.
 */
export function writablePaths(config: OutpostConfig, base: string, binary: string, logDir: string, extra: string[]): string[] {
  const paths = [base, logDir, dirname(binary), ...extra.map((path) => resolve(path))];
  for (const profile of Object.values(config.files ?? {})) {
    if (profile?.base && !profile.readonly) paths.push(resolve(base, profile.base));
  }
  for (const profile of Object.values(config.databases ?? {})) {
    if (profile?.adapter === "sqlite" && profile.path && profile.path !== ":memory:") paths.push(dirname(resolve(base, profile.path)));
  }
  const unique = [...new Set(paths)].sort();
  return unique.filter((path) => !unique.some((other) => other !== path && isInside(path, other)));
}

function isInside(path: string, folder: string): boolean {
  const rel = relative(folder, path);
  return rel !== "" && !rel.startsWith("..") && !isAbsolute(rel);
}
