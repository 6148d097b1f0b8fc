/**
 * @module
 * The typed shape of `config.yml` after loading: every `{encrypted: ...}`, `${env:...}`
 * and `${file:...}` value is already resolved to its plain string, and defaults are NOT
 * filled in here (each consumer applies the defaults documented on its field, once).
 * Keys keep the YAML's snake_case so a reader can grep the docs for them.
 * Durations are seconds.
 */

export interface OutpostConfig {
  gateway?: GatewaySection;
  databases?: Record<string, DatabaseProfile>;
  files?: Record<string, FilesProfile>;
  http?: Record<string, HttpProfile>;
  scripts?: Record<string, ScriptsProfile>;
  extensions?: Record<string, ExtensionProfile>;
  proxy?: ProxySection;
  logging?: LoggingSection;
  agent?: AgentSection;
  secrets?: SecretsSection;
  /** Apply profile edits without a restart; a bad edit keeps the last good config. Defaults to `false`. */
  autoReload?: boolean;
}

export interface GatewaySection {
  /** `wss://host:port`. */
  url: string;
  /** Path of the agent's identity file (written by `outpost activate`). Defaults to `identity.json` beside config.yml. */
  identity?: string;
  /** CA file (PEM, may hold several) trusted INSTEAD of the system store, for activation, the tunnel and upgrades alike (docs/config.md). */
  ca?: string;
  /** Turns off certificate checks. Loud warning at every start; never in production. Defaults to `false`. */
  insecure_skip_verify?: boolean;
}

export type DatabaseAdapter = "postgresql" | "mysql" | "sqlserver" | "sqlite";

export interface SslSettings {
  /** `disable` | `require` (encrypt, no verification) | `verify-ca` | `verify-full`. Defaults to `disable` except sqlserver (`verify-full`). */
  mode?: "disable" | "require" | "verify-ca" | "verify-full";
  ca?: string;
  cert?: string;
  key?: string;
}

export interface DatabaseProfile {
  adapter: DatabaseAdapter;
  host?: string;
  port?: number;
  database?: string;
  username?: string;
  password?: string;
  /** SQLite only: the database file (`:memory:` allowed). */
  path?: string;
  ssl?: SslSettings;
  pool?: {
    /** Defaults to `10`. */
    size?: number;
    /** Seconds an idle connection stays open. Defaults to `300`. */
    idle_timeout?: number;
  };
  /** Seconds. Defaults to `10`. */
  connect_timeout?: number;
  /** Seconds; a request's own `timeoutMs` may only shorten it. Defaults to `300`. */
  query_timeout?: number;
  /** Enforced by the database session. Defaults to `false`. */
  readonly?: boolean;
  /** Add parameter values to the `sql` component's debug-level statement lines (never the profile's secrets). Defaults to `false`. */
  debug?: boolean;
  /** Passed to the driver as is. */
  options?: Record<string, unknown>;
}

export interface FilesProfile {
  base: string;
  /** Defaults to `false`. */
  readonly?: boolean;
  /** Follow symlinks whose real path stays under base. Defaults to `false`. */
  follow_symlinks?: boolean;
}

export interface HttpProfile {
  base_url: string;
  headers?: Record<string, string>;
  tls?: { ca?: string; cert?: string; key?: string; /** Defaults to `true`. */ verify?: boolean };
  /** Seconds to connect. Defaults to `10`. */
  connect_timeout?: number;
  /** Seconds for the whole exchange. Defaults to `60`. */
  timeout?: number;
}

export type ScriptParamType = "string" | "integer" | "number" | "boolean" | "enum";

export interface ScriptParam {
  type: ScriptParamType;
  /** Defaults to `true`. */
  required?: boolean;
  /** For `string`: a regular expression the whole value must match. */
  pattern?: string;
  /** For `enum`: the allowed values. */
  values?: string[];
  default?: string | number | boolean;
  /**
   * Lets a value that starts with `-` begin an argv element (`{name}`, `{name}.txt`),
   * where the program would read it as an option. `enum` values are never refused for it.
   * Defaults to `false`.
   */
  allow_dash?: boolean;
}

export interface ScriptCommand {
  /** The program and its arguments; `{name}` is replaced by the parameter's value as one whole argument. */
  argv: string[];
  params?: Record<string, ScriptParam>;
  cwd?: string;
  env?: Record<string, string>;
  /** Seconds; overrides the profile's. */
  timeout?: number;
}

export interface ScriptsProfile {
  commands: Record<string, ScriptCommand>;
  /** Defaults to `10`. */
  concurrency_limit?: number;
  /** Seconds. Defaults to `90`. */
  timeout?: number;
  /** Bytes kept of stdout and of stderr each. Defaults to `1048576`. */
  max_output?: number;
}

export interface ExtensionProfile {
  /** Path of a JS/TS module on the agent host. */
  module: string;
  /** Handed to the extension as is. */
  config?: Record<string, unknown>;
}

export interface ProxySection {
  url?: string;
  host?: string;
  port?: number;
  username?: string;
  password?: string;
  no_proxy?: string[];
}

export interface LoggingSection {
  /** Defaults to `info`. */
  level?: "trace" | "debug" | "info" | "warn" | "error";
  /** Per-component levels: agent, tunnel, gateway, sql, files, http, scripts. */
  components?: Record<string, "trace" | "debug" | "info" | "warn" | "error">;
  /** Defaults to `text` on a terminal, else `json`. */
  format?: "text" | "json";
  file?: {
    path: string;
    /** Rotate at this size. Defaults to `20`. */
    max_size_mb?: number;
    /** Rotated files kept. Defaults to `10`. */
    retain?: number;
    /** Cap on all rotated files together. Defaults to `200`. */
    total_cap_mb?: number;
  };
}

export interface AgentSection {
  /** Requests served at once. Defaults to `64`. */
  concurrency?: number;
  /** Requests at once per profile. Defaults to `16`. */
  profile_concurrency?: number;
  /** Requests waiting beyond the limits before new ones get 503. Defaults to `256`. */
  queue_size?: number;
  /** Bytes of a forwarded HTTP/extension body and of a request's arguments (uploads excluded); more is TOO_LARGE. Defaults to `10485760`. */
  max_request_size?: number;
  /** Seconds in-flight requests get to finish on SIGTERM. Defaults to `30`. */
  shutdown_grace?: number;
  /** Loopback health endpoint for service managers. Off unless a port is given. */
  health?: { port: number; host?: string };
}

export interface SecretsSection {
  /** Key file for `{encrypted: ...}` values. Defaults to `secret.key` beside config.yml. */
  key_file?: string;
}

export type ProfileKind = "databases" | "files" | "http" | "scripts" | "extensions";
export const PROFILE_KINDS: readonly ProfileKind[] = ["databases", "files", "http", "scripts", "extensions"];
