/**
 * @module
 * The entry point for callers: `new OutpostClient({url, token})`, then
 * `client.group("prod").db("sales").query(...)`, `.files(p)`, `.http(p)`, `.scripts(p)`,
 * `.ext(name)`, and `client.admin` for groups, agents and tokens. Objects are cheap and
 * hold no connection; make them per call or keep them, as is convenient.
 */
import { AdminClient } from "./admin-client.ts";
import { DatabaseClient } from "./database-client.ts";
import { FilesClient } from "./files-client.ts";
import { ExtensionClient, HttpClient, ScriptsClient } from "./forward-clients.ts";
import { DEFAULT_RETRY_POLICY } from "./retry.ts";
import { Transport, type FetchLike } from "./transport.ts";

export interface OutpostClientOptions {
  /** The gateway's base URL, e.g. `https://gateway.example.com`. */
  url: string;
  /** An API token (`opt_…`). */
  token: string;
  /** PEM of the CA that signed the gateway's certificate, when it is not a public one (Bun only). */
  ca?: string | string[];
  /** The `fetch` to use. Defaults to the global `fetch`. */
  fetch?: FetchLike;
  /**
   * How long to wait for an answer's headers, ms. Defaults to `300000` (the gateway's own
   * default deadline). Bodies are not timed; abort them with a `signal`.
   */
  timeoutMs?: number;
  /** Extra attempts for idempotent calls that failed with a retryable error. Defaults to `1`. */
  retries?: number;
  /** Backoff ceiling of the first retry, doubled per attempt, fully jittered. Defaults to `250` ms. */
  retryDelayMs?: number;
  /** Longest wait before a retry, `Retry-After` included. Defaults to `5000` ms. */
  maxRetryDelayMs?: number;
}

export class OutpostClient {
  /** Groups, agents and tokens (docs/api.md). */
  readonly admin: AdminClient;
  readonly #transport: Transport;

  constructor(options: OutpostClientOptions) {
    if (!/^https?:\/\//.test(options.url)) throw new TypeError(`url must start with https:// or http:// (got "${options.url}")`);
    this.#transport = new Transport({
      url: options.url,
      token: options.token,
      ca: options.ca,
      fetch: options.fetch ?? ((input, init) => fetch(input, init)),
      timeoutMs: options.timeoutMs ?? 300_000,
      retry: {
        ...DEFAULT_RETRY_POLICY,
        retries: options.retries ?? DEFAULT_RETRY_POLICY.retries,
        baseDelayMs: options.retryDelayMs ?? DEFAULT_RETRY_POLICY.baseDelayMs,
        maxDelayMs: options.maxRetryDelayMs ?? DEFAULT_RETRY_POLICY.maxDelayMs,
      },
    });
    this.admin = new AdminClient(this.#transport);
  }

  /** The profiles of one group. */
  group(name: string): GroupClient {
    return new GroupClient(this.#transport, name);
  }
}

export class GroupClient {
  readonly name: string;
  readonly #transport: Transport;

  constructor(transport: Transport, name: string) {
    this.#transport = transport;
    this.name = name;
  }

  db(profile: string): DatabaseClient {
    return new DatabaseClient(this.#transport, this.name, profile);
  }

  files(profile: string): FilesClient {
    return new FilesClient(this.#transport, this.name, profile);
  }

  http(profile: string): HttpClient {
    return new HttpClient(this.#transport, this.name, profile);
  }

  scripts(profile: string): ScriptsClient {
    return new ScriptsClient(this.#transport, this.name, profile);
  }

  ext(name: string): ExtensionClient {
    return new ExtensionClient(this.#transport, this.name, name);
  }
}
