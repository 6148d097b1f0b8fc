/**
 * @module
 * Whether a profile's target answers: the files it names are there (script programs, TLS
 * files, the files base), then the connector's own init and health check through the managed
 * wrapper — a database login and `select 1`, a HEAD of the HTTP base URL (any status counts),
 * a stat of the files base — bounded by a short timeout. The agent runs the same check at
 * start and reports the outcome to the gateway; `outpost doctor` prints it with a hint.
 */
import { dirname } from "node:path";
import type { LoadedConfig } from "../../config/load.ts";
import { fileProblem, fileReferences } from "../../config/file-refs.ts";
import type { DatabaseProfile, HttpProfile, ProfileKind } from "../../config/types.ts";
import type { AnyConnector } from "../../connectors/connector.ts";
import { createCallContext } from "../../connectors/context.ts";
import { isConnectorError } from "../../connectors/errors.ts";
import type { Managed } from "../../connectors/managed.ts";
import type { CheckResult } from "./check.ts";

/** Seconds a profile check may take. Defaults to 5: a target that answers at all answers sooner. */
export const PROFILE_CHECK_SECONDS = 5;

export interface ProfileToCheck {
  name: string;
  kind: ProfileKind;
  connector: Managed<AnyConnector>;
}

/** A profile's health as the agent reports it: no secrets, a short reason. */
export interface ProfileHealthResult {
  ok: boolean;
  /** `AUTH_FAILED: password authentication failed` — the connector's caller-facing message. */
  reason?: string;
  /** What to do, for doctor's line. */
  hint?: string;
}

/** Runs the check of one profile; never throws. */
export async function checkProfileHealth(loaded: LoadedConfig, profile: ProfileToCheck, timeoutMs = PROFILE_CHECK_SECONDS * 1000): Promise<ProfileHealthResult> {
  const missing = fileReferences(loaded.config, dirname(loaded.path))
    .filter((ref) => ref.key[0] === profile.kind && ref.key[1] === profile.name)
    .map((ref) => fileProblem(ref))
    .find((problem) => problem !== undefined);
  if (missing) return { ok: false, reason: `NOT_FOUND: ${missing}`, hint: `see the file line above for ${profile.kind}.${profile.name}` };
  using ctx = createCallContext({ timeoutMs });
  try {
    await profile.connector.health(ctx);
    return { ok: true };
  } catch (error) {
    const code = isConnectorError(error) ? error.code : "INTERNAL";
    const message = isConnectorError(error) ? error.message : "unexpected failure";
    return { ok: false, reason: `${code}: ${message}`.slice(0, 200), hint: hintFor(code, profile, loaded, timeoutMs) };
  }
}

export function toCheckResult(profile: ProfileToCheck, loaded: LoadedConfig, health: ProfileHealthResult): CheckResult {
  const subject = `${profile.name} (${profile.kind})`;
  if (health.ok) return { kind: "profile", subject, verdict: "ok", detail: found(profile, loaded) };
  return { kind: "profile", subject, verdict: "fail", detail: health.reason ?? "failing", hint: health.hint };
}

function hintFor(code: string, profile: ProfileToCheck, loaded: LoadedConfig, timeoutMs: number): string {
  const where = target(profile, loaded);
  switch (code) {
    case "AUTH_FAILED":
      return `check the username and password of profile ${profile.name}`;
    case "TIMEOUT":
      return `${where} did not answer within ${timeoutMs / 1000} s: check the host, the port and firewalls between this host and it`;
    case "UNREACHABLE":
      return profile.kind === "http" ? `check ${where} from this host (address, TLS trust in tls.ca, proxy)` : `check that ${where} answers from this host (host, port, firewall, TLS settings)`;
    case "NOT_FOUND":
      return `check what profile ${profile.name} names (database name, path)`;
    case "BAD_REQUEST":
      return `fix profile ${profile.name} in config.yml`;
    default:
      return `run \`outpost run --debug\` and look at the lines for profile ${profile.name}`;
  }
}

/** What a passing check found, per kind. */
function found(profile: ProfileToCheck, loaded: LoadedConfig): string {
  switch (profile.kind) {
    case "databases":
      return `logged in to ${target(profile, loaded)}`;
    case "http":
      return `${target(profile, loaded)} answered`;
    case "files":
      return "the base folder is there";
    case "scripts":
      return "every program is there";
    default:
      return "loaded and healthy";
  }
}

/** What the profile talks to, for messages: never credentials. */
function target(profile: ProfileToCheck, loaded: LoadedConfig): string {
  const section = loaded.config[profile.kind]?.[profile.name];
  if (profile.kind === "databases") {
    const db = section as DatabaseProfile;
    return db.adapter === "sqlite" ? `sqlite ${db.path}` : `${db.adapter} ${db.host ?? "localhost"}${db.port ? `:${db.port}` : ""}`;
  }
  if (profile.kind === "http") return safeUrl((section as HttpProfile).base_url);
  return `profile ${profile.name}`;
}

/** The URL without user info or query (either may hold a secret). */
function safeUrl(text: string): string {
  try {
    const url = new URL(text);
    return `${url.protocol}//${url.host}${url.pathname}`;
  } catch {
    return "base_url";
  }
}
