/**
 * @module
 * What an extension module must export: a plain object as its default export, with a
 * `fetch(request, context)` handler in the shape of `Bun.serve`'s, and optional `init` and
 * `close` hooks. Extension authors may copy these types; nothing else of Outpost is
 * visible to them. See docs/extensions.md.
 */
import type { Logger } from "../../log/logger.ts";

export interface ExtensionInitHelpers {
  /** A logger of component `ext`, lines tagged with the extension's profile name. */
  log: Logger;
}

export interface ExtensionRequestContext {
  /** The profile's `config` map, as written in config.yml (secrets resolved). */
  config: Record<string, unknown>;
  log: Logger;
  /** Aborts when the caller disconnects or the deadline passes: stop work and return. */
  signal: AbortSignal;
  requestId: string;
  /** Epoch milliseconds. */
  deadline: number;
}

export interface OutpostExtension {
  /** Shown in logs; defaults to the profile name. */
  name?: string;
  /** Runs once before the first request; a throw fails init, and the next request retries it. */
  init?(config: Record<string, unknown>, helpers: ExtensionInitHelpers): void | Promise<void>;
  /** Handles one request; the URL's path is relative to the extension (`/hello`). */
  fetch(request: Request, context: ExtensionRequestContext): Response | Promise<Response>;
  /** Runs once at shutdown or reload. */
  close?(): void | Promise<void>;
}
