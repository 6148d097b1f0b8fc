/**
 * @module
 * What the registry hands every connector factory besides its profile:
 * `createXConnector(profile, deps)`.
 */
import type { Logger } from "../log/logger.ts";

export interface ConnectorDeps {
  /** The profile's name in config.yml (`orders`), for messages and log lines. */
  name: string;
  /** The connector's logger (component `sql`, `files`, `http`, `scripts` or `ext`). */
  log: Logger;
  /** Folder that relative paths in the profile (a SQLite file, an extension module) resolve against. Defaults to the working directory. */
  baseDir?: string;
}
