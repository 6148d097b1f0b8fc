/**
 * @module
 * Loads config.yml: parse with positions, resolve value sources, check the schema, check
 * profile names, and hash each profile. Lenient then strict: unknown keys are warnings;
 * every other problem is an error, and all of them are collected before one `ConfigError`
 * is thrown. Secrets are decrypted in memory only; no plaintext reaches a log or an error.
 */
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { LineCounter, parseDocument } from "yaml";
import type { Logger } from "../log/logger.ts";
import { ConfigError, type ConfigIssue } from "./errors.ts";
import { profileHashes } from "./profile-hash.ts";
import { decryptAll, type EncryptedValue, type KeyProvider } from "./decrypt.ts";
import { configFileProblems } from "./file-check.ts";
import { checkSchema } from "./schema-check.ts";
import { resolveSources } from "./sources.ts";
import { PROFILE_KINDS, type OutpostConfig } from "./types.ts";
import { dotted, walkDocument, type Segment, type Spot } from "./yaml-walk.ts";

export type { KeyProvider } from "./decrypt.ts";

export interface LoadedConfig {
  config: OutpostConfig;
  /** Unknown keys and other things worth a look that do not stop the load. */
  warnings: ConfigIssue[];
  /** Per profile name: sha256 (hex) of its raw YAML value (ciphertext, not plaintext). Same file → same hashes. */
  hashes: Record<string, string>;
  /** Absolute path of the file loaded. */
  path: string;
  /** Where a key sits in the file (its nearest present ancestor when absent), for messages about it. */
  locate(key: Segment[]): { line: number; column: number };
}

export interface LoadOptions {
  /** Where `${env:...}` and `OUTPOST_SECRET_KEY` are looked up. Defaults to `process.env`. */
  env?: Record<string, string | undefined>;
  /** Supplies the secret key, called only when an encrypted value exists. Defaults to the env key or the key file. */
  keyProvider?: KeyProvider;
  /** Gets debug/trace lines about the load (paths and sources, never values). */
  logger?: Logger;
  /**
   * Also check that the files config.yml names exist (`config validate`): a missing one is
   * an error at its key, a missing identity a warning (activation comes after the config).
   * Off for the agent, where a missing files base fails that profile only. Defaults to `false`.
   */
  checkFiles?: boolean;
  /**
   * Only these top-level sections are resolved, decrypted and checked; the rest of the file
   * is dropped unread (its YAML must still parse). Defaults to every section.
   */
  sections?: readonly (keyof OutpostConfig)[];
}

/**
 * Loads only `sections` of a config file, for commands that need one part of it:
 * `outpost activate` and `outpost upgrade` read `proxy:` and `gateway:`, and must not fail
 * on an `${env:X}` in a database password that only the service's environment sets (run
 * under `sudo`, the environment is not the service's). `secrets:` is always kept: it says
 * where the key for an encrypted proxy password is.
 */
export function loadConfigSections(path: string, sections: readonly (keyof OutpostConfig)[], options: LoadOptions = {}): Promise<LoadedConfig> {
  return loadConfig(path, { ...options, sections: [...sections, "secrets"] });
}

/** Loads and checks a config file. Throws `ConfigError` listing every error found. */
export async function loadConfig(path: string, options: LoadOptions = {}): Promise<LoadedConfig> {
  const full = resolve(path);
  const file = path.replace(/^\.\//, ""); // shown as the user wrote it
  const env = options.env ?? process.env;
  const text = readConfigText(full, file);
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: false });
  const at = (offset: number) => lines.linePos(offset);
  const issues: ConfigIssue[] = [];
  const issue = (offset: number, segments: Segment[] | string, message: string, severity: ConfigIssue["severity"] = "error") => {
    const { line, col } = at(offset);
    issues.push({ file, line, column: col, path: typeof segments === "string" ? segments : dotted(segments), message, severity });
  };
  for (const error of doc.errors) issue(error.pos[0], "", error.message.split("\n")[0]!);
  if (issues.length > 0) throw new ConfigError("CONFIG_INVALID", issues);

  const encrypted: EncryptedValue[] = [];
  const wanted = (segments: Segment[]) => !options.sections || options.sections.includes(segments[0] as keyof OutpostConfig);
  const walked = walkDocument(doc, {
    onString(value, segments, offset) {
      if (!wanted(segments)) return value;
      const result = resolveSources(value, { env, baseDir: dirname(full) });
      if ("error" in result) {
        issue(offset, segments, result.error);
        return "";
      }
      for (const source of result.sources) options.logger?.trace("config value from source", { key: dotted(segments), source: source.split(":")[0] });
      return result.value;
    },
    onEncrypted(value, segments, offset) {
      if (!wanted(segments)) return "";
      encrypted.push({ text: value, path: segments, offset });
      return "";
    },
    onProblem: (message, segments, offset) => {
      if (segments.length === 0 || wanted(segments)) issue(offset, segments, message);
    },
  });
  const data = walked.data ?? {};
  if (typeof data !== "object" || Array.isArray(data)) {
    issue(0, "", "the file must be a mapping of keys (gateway:, databases:, ...)");
    throw new ConfigError("CONFIG_INVALID", issues);
  }

  if (options.sections) {
    for (const key of Object.keys(data)) if (!wanted([key])) delete (data as Record<string, unknown>)[key];
  }

  if (encrypted.length > 0) {
    const keyFile = (data as OutpostConfig).secrets?.key_file;
    const failures = await decryptAll(encrypted, data, { configPath: full, keyFile, env, keyProvider: options.keyProvider });
    for (const failure of failures) issue(failure.value.offset, failure.value.path, failure.message);
    options.logger?.trace("decrypted config values", { count: encrypted.length - failures.length });
  }

  // A value whose source failed is already reported; its "" placeholder would only add noise.
  const failed = new Set(issues.map((i) => i.path));
  const spotOf = (segments: Segment[], atKey: boolean): number => findOffset(walked.spots, segments, atKey);
  for (const problem of checkSchema(data)) {
    if (failed.has(dotted(problem.path))) continue;
    issue(spotOf(problem.path, problem.atKey), problem.path, problem.message, problem.severity);
  }
  checkUniqueNames(data as OutpostConfig, (segments, message) => issue(spotOf(segments, true), segments, message));
  if (options.checkFiles && !issues.some((i) => i.severity === "error")) {
    for (const problem of configFileProblems(data as OutpostConfig, full)) {
      issue(spotOf(problem.key, false), problem.key, problem.message, problem.severity);
    }
  }

  const warnings = issues.filter((i) => i.severity === "warning");
  for (const warning of warnings) options.logger?.debug("config warning", { where: `${warning.file}:${warning.line}:${warning.column}`, key: warning.path, problem: warning.message });
  if (issues.some((i) => i.severity === "error")) throw new ConfigError("CONFIG_INVALID", sortIssues(issues));
  const config = data as OutpostConfig;
  const hashes = profileHashes(doc);
  options.logger?.debug("config loaded", { file: full, profiles: Object.keys(hashes).length, warnings: warnings.length });
  const locate = (key: Segment[]) => {
    const { line, col } = at(spotOf(key, false));
    return { line, column: col };
  };
  return { config, warnings: sortIssues(warnings), hashes, path: full, locate };
}

function readConfigText(full: string, file: string): string {
  try {
    return readFileSync(full, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const missing = code === "ENOENT";
    const message = missing
      ? "config file not found (create one with `outpost config init`)"
      : `cannot read config file: ${code ?? (error as Error).message}`;
    const issue: ConfigIssue = { file, line: 0, column: 0, path: "", message, severity: "error" };
    throw new ConfigError(missing ? "CONFIG_NOT_FOUND" : "CONFIG_UNREADABLE", [issue], { cause: error });
  }
}

/** The offset for a path: its key or value, else the nearest ancestor's key (a missing key points at its parent). */
function findOffset(spots: Map<string, Spot>, segments: Segment[], atKey: boolean): number {
  for (let n = segments.length; n >= 0; n--) {
    const spot = spots.get(dotted(segments.slice(0, n)));
    if (!spot) continue;
    const exact = n === segments.length;
    return (exact ? (atKey ? spot.keyOffset : spot.valueOffset) : spot.keyOffset) ?? spot.valueOffset;
  }
  return 0;
}

/** Profile names are unique across kinds: a request names a profile, not a kind. */
function checkUniqueNames(config: OutpostConfig, report: (path: Segment[], message: string) => void) {
  const owner = new Map<string, string>();
  for (const kind of PROFILE_KINDS) {
    const profiles = config[kind];
    if (!profiles || typeof profiles !== "object") continue;
    for (const name of Object.keys(profiles)) {
      const first = owner.get(name);
      if (first) report([kind, name], `profile name "${name}" is already used by ${first}.${name} (names are unique across kinds)`);
      else owner.set(name, kind);
    }
  }
}

function sortIssues(issues: ConfigIssue[]): ConfigIssue[] {
  return [...issues].sort((a, b) => a.line - b.line || a.column - b.column);
}
