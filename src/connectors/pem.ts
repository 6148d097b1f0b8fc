/**
 * @module
 * The PEM files a database profile's `ssl:` section names, shared by the SQL connectors
 * without loading another connector's driver.
 */
import { readFileSync } from "node:fs";
import { ConnectorError } from "./errors.ts";

/** Reads a PEM file named in `ssl`; a missing file is a configuration error, not a network one. */
export function readPem(path: string, what: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    throw new ConnectorError("BAD_REQUEST", `cannot read ssl.${what} file ${path}`, { cause: error });
  }
}
