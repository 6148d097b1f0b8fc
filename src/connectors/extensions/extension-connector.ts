/**
 * @module
 * Runs a customer's JS/TS module inside the agent. The module is loaded at init with
 * `import()` from its absolute file URL (Bun transpiles TypeScript, also in the compiled
 * binary), checked against the contract in extension-contract.ts, and given its config.
 * An extension runs with the agent's full rights: it is code the operator installed, not
 * a sandbox.
 */
import { isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { ExtensionProfile } from "../../config/types.ts";
import type { Logger } from "../../log/logger.ts";
import type { CallContext, ExtensionConnector } from "../connector.ts";
import { throwIfAborted } from "../context.ts";
import type { ConnectorDeps } from "../deps.ts";
import { ConnectorError, isConnectorError } from "../errors.ts";
import type { OutpostExtension } from "./extension-contract.ts";

export interface ModuleExtensionOptions {
  /** Absolute path of the module file. */
  modulePath: string;
  config?: Record<string, unknown>;
  /** The profile name. */
  name: string;
  log: Logger;
}

export class ModuleExtensionConnector implements ExtensionConnector {
  readonly kind = "extension";
  readonly #options: ModuleExtensionOptions;
  #extension: OutpostExtension | undefined;

  constructor(options: ModuleExtensionOptions) {
    this.#options = options;
  }

  async init(): Promise<void> {
    let loaded: { default?: unknown };
    try {
      loaded = await import(pathToFileURL(this.#options.modulePath).href);
    } catch (error) {
      this.#logFailure("could not be loaded", error);
      throw new ConnectorError("UNAVAILABLE", `extension ${this.#options.name}: the module could not be loaded (${this.#options.modulePath}; the agent's log says why)`, { cause: error, retryable: false });
    }
    const extension = loaded.default as OutpostExtension | undefined;
    if (!extension || typeof extension !== "object" || typeof extension.fetch !== "function") {
      throw new ConnectorError("UNAVAILABLE", `extension ${this.#options.name}: the module must default-export an object with fetch()`, { retryable: false });
    }
    try {
      await extension.init?.(this.#config(), { log: this.#options.log });
    } catch (error) {
      // Its text may quote the extension's config: the log gets it, callers a generic line (managed.ts).
      this.#logFailure("init failed", error);
      throw error;
    }
    this.#extension = extension;
    this.#options.log.info("extension loaded", { extension: extension.name ?? this.#options.name });
  }

  async handle(request: Request, ctx: CallContext): Promise<Response> {
    throwIfAborted(ctx.signal);
    const extension = this.#extension;
    if (!extension) throw new ConnectorError("UNAVAILABLE", `extension ${this.#options.name} is not loaded`, { retryable: true });
    let response: unknown;
    try {
      response = await extension.fetch(request, {
        config: this.#config(),
        log: ctx.log,
        signal: ctx.signal,
        requestId: ctx.requestId,
        deadline: ctx.deadline,
      });
    } catch (error) {
      if (isConnectorError(error)) throw error;
      this.#logFailure("failed", error, ctx.requestId);
      throw new ConnectorError("INTERNAL", `extension ${this.#options.name} failed`, { cause: error });
    }
    if (!(response instanceof Response)) throw new ConnectorError("INTERNAL", `extension ${this.#options.name} did not return a Response`);
    return response;
  }

  /** The extension's own error text goes to the agent's log (operators installed the code); callers get a generic line. */
  #logFailure(what: string, error: unknown, requestId?: string): void {
    const message = error instanceof Error ? error.message : String(error);
    this.#options.log.error(`extension ${what}`, { extension: this.#options.name, requestId, error: message });
  }

  async close(): Promise<void> {
    const extension = this.#extension;
    this.#extension = undefined;
    await extension?.close?.();
  }

  /** A fresh copy per call, so one request cannot change what the next one sees. */
  #config(): Record<string, unknown> {
    return structuredClone(this.#options.config ?? {});
  }
}

/** The factory the registry calls for an `extensions:` profile. */
export function createExtensionConnector(profile: ExtensionProfile, deps: ConnectorDeps): ModuleExtensionConnector {
  const modulePath = isAbsolute(profile.module) ? profile.module : resolve(deps.baseDir ?? ".", profile.module);
  return new ModuleExtensionConnector({ modulePath, config: profile.config, name: deps.name, log: deps.log });
}
