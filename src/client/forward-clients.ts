/**
 * @module
 * The profiles that pass requests through: `http` (an internal web app behind the agent),
 * `ext` (an extension), and `scripts` (allowlisted commands). A forwarded request's answer
 * comes back as the backend gave it, 4xx and 5xx included; only a failure of Outpost
 * itself (no agent, a refused path, a bad token) is thrown as an OutpostError.
 */
import { segment, type CallOptions, type Transport } from "./transport.ts";
import type { JsonValue, ScriptResult } from "./types.ts";

/** `fetch`'s init; `signal` aborts the call. The `Authorization` header is the client's own. */
export type ForwardInit = RequestInit & { requestId?: string };

/**
 * The backend's own answer: one an agent passed on (`x-outpost-agent`) that is not an
 * Outpost error (`x-outpost-error`, also sent when the agent itself failed the request).
 */
const fromAgent = (response: Response) => response.headers.has("x-outpost-agent") && !response.headers.has("x-outpost-error");

class ForwardClient {
  readonly #transport: Transport;
  readonly #path: string;

  constructor(transport: Transport, path: string) {
    this.#transport = transport;
    this.#path = path;
  }

  /**
   * Sends `init` to `path` (with its query string) under the profile and resolves with
   * the backend's answer, whatever its status. `path` is sent as written (encode it
   * yourself); one that resolves outside the profile (`../`) is refused. Never retried.
   */
  fetch(path: string, init: ForwardInit = {}): Promise<Response> {
    const { body, headers, method, signal, requestId } = init;
    return this.#transport.send({
      method: method ?? "GET",
      path: this.#path + path.replace(/^\/+/, ""),
      scope: this.#path,
      headers,
      body,
      signal: signal ?? undefined,
      requestId,
      passThrough: fromAgent,
    });
  }
}

/** An HTTP profile: `client.group(g).http(profile).fetch("/api/orders?day=1")`. */
export class HttpClient extends ForwardClient {
  constructor(transport: Transport, group: string, profile: string) {
    super(transport, `/v1/groups/${segment(group)}/http/${segment(profile)}/`);
  }
}

/** An extension: `client.group(g).ext(name).fetch("/hello")`. */
export class ExtensionClient extends ForwardClient {
  constructor(transport: Transport, group: string, name: string) {
    super(transport, `/v1/groups/${segment(group)}/ext/${segment(name)}/`);
  }
}

export interface ScriptOptions extends CallOptions {
  /** The deadline the agent enforces, in ms; defaults to the command's or profile's timeout. */
  timeoutMs?: number;
}

/** A scripts profile: runs one allowlisted command with checked parameters. */
export class ScriptsClient {
  readonly #transport: Transport;
  readonly #path: string;

  constructor(transport: Transport, group: string, profile: string) {
    this.#transport = transport;
    this.#path = `/v1/groups/${segment(group)}/scripts/${segment(profile)}/`;
  }

  /** Runs `script`; a non-zero exit is a result (`exitCode`), not an error. Never retried. */
  run(script: string, params: Record<string, JsonValue> = {}, options: ScriptOptions = {}): Promise<ScriptResult> {
    return this.#transport.json<ScriptResult>({
      method: "POST",
      path: this.#path + segment(script),
      scope: this.#path,
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ params, timeoutMs: options.timeoutMs }),
      signal: options.signal,
      requestId: options.requestId,
      timeoutMs: options.timeoutMs === undefined ? undefined : options.timeoutMs + 5000,
    });
  }
}
