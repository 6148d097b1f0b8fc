/**
 * @module
 * Whether this host is activated: the identity file `outpost activate` writes is present,
 * valid, and made for the gateway config.yml names.
 */
import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { LoadedConfig } from "../../config/load.ts";
import { identityFileOf } from "../../config/file-refs.ts";
import { readIdentityFile } from "../../crypto/identity.ts";
import type { CheckResult } from "./check.ts";

/** The command that activates this agent, with the config's gateway and CA when known. */
export function activateHint(loaded: LoadedConfig): string {
  const gateway = loaded.config.gateway;
  const ca = gateway?.ca ? ` --ca ${resolve(dirname(loaded.path), gateway.ca)}` : "";
  return `run \`outpost activate CODE --gateway ${gateway?.url ?? "URL"}${ca} --config ${loaded.path}\` first (the code comes from \`outpost gateway agent add\`)`;
}

export function checkIdentity(loaded: LoadedConfig): CheckResult {
  const ref = identityFileOf(loaded.config, loaded.path);
  const base = { kind: "identity", subject: ref.path };
  if (!existsSync(ref.path)) return { ...base, verdict: "fail", detail: "not activated: the identity file does not exist", hint: activateHint(loaded) };
  try {
    const identity = readIdentityFile(ref.path);
    const configured = loaded.config.gateway?.url;
    if (configured && sameGateway(identity.gateway, configured) === false) {
      return { ...base, verdict: "warn", detail: `activated for ${identity.gateway}, but gateway.url is ${configured}`, hint: "activate again against this gateway, or fix gateway.url" };
    }
    return { ...base, verdict: "ok", detail: `agent ${identity.agentId}` };
  } catch (error) {
    return { ...base, verdict: "fail", detail: (error as Error).message, hint: `${activateHint(loaded)} with --force` };
  }
}

/** Host and port compared; undefined when either URL does not parse. */
function sameGateway(a: string, b: string): boolean | undefined {
  try {
    const left = new URL(a.replace(/^http/, "ws"));
    const right = new URL(b.replace(/^http/, "ws"));
    return left.host === right.host;
  } catch {
    return undefined;
  }
}
