/**
 * @module
 * The PEM files a database profile's `ssl:` section names, shared by the SQL connectors
 * without loading another connector's driver. Relative paths are relative to config.yml's
 * folder, like every other path in config (`resolveSslPaths`, applied by the registry
 * before any backend sees the profile), not to the agent's working directory.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { DatabaseProfile } from "../config/types.ts";
import { ConnectorError } from "./errors.ts";

/** Reads a PEM file named in `ssl`; a missing file is a configuration error, not a network one. */
export function readPem(path: string, what: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    throw new ConnectorError("BAD_REQUEST", `cannot read ssl.${what} file ${path}`, { cause: error });
  }
}

/** `profile` with `ssl.ca`, `ssl.cert` and `ssl.key` made absolute against `baseDir` (config.yml's folder). */
export function resolveSslPaths(profile: DatabaseProfile, baseDir: string | undefined): DatabaseProfile {
  const ssl = profile.ssl;
  if (!ssl || baseDir === undefined) return profile;
  const at = (path: string | undefined) => (path ? resolve(baseDir, path) : path);
  return { ...profile, ssl: { ...ssl, ca: at(ssl.ca), cert: at(ssl.cert), key: at(ssl.key) } };
}
