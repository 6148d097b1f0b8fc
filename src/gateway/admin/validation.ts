/**
 * @module
 * Checks on what admins type: names that go into URL paths, and group settings. Every
 * failure is a BAD_REQUEST whose message names the field and says what is accepted, and
 * whose `field` names it for programs (the console puts the message beside that field).
 */
import { parseCidr } from "../auth/cidr.ts";
import { GatewayError } from "../http-errors.ts";
import type { GroupSettings } from "../store/store.ts";

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

/** Names of groups, agents and tokens: 1–63 letters, digits, `.`, `_`, `-`, starting with a letter or digit. */
export function checkName(kind: string, value: unknown): string {
  if (typeof value !== "string" || !NAME.test(value)) {
    throw new GatewayError("BAD_REQUEST", `${kind} name must be 1-63 letters, digits, ".", "_" or "-", starting with a letter or digit`, { field: "name" });
  }
  return value;
}

function stringList(field: string, value: unknown): string[] {
  if (!Array.isArray(value) || !value.every((item) => typeof item === "string")) {
    throw new GatewayError("BAD_REQUEST", `settings.${field} must be a list of strings`, { field: `settings.${field}` });
  }
  return value as string[];
}

/**
 * Applies a settings patch to `base`: fields present in `patch` replace the old value.
 * Unknown fields are refused so a typo (`allowedCIDRs`) is not silently ignored.
 */
export function mergeGroupSettings(base: GroupSettings, patch: unknown): GroupSettings {
  if (patch === undefined) return base;
  if (patch === null || typeof patch !== "object" || Array.isArray(patch)) {
    throw new GatewayError("BAD_REQUEST", "settings must be a JSON object", { field: "settings" });
  }
  const next: GroupSettings = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    if (key === "allowedCidrs") {
      next.allowedCidrs = stringList(key, value).map((cidr) => {
        try {
          parseCidr(cidr);
        } catch (error) {
          throw new GatewayError("BAD_REQUEST", (error as Error).message, { field: "settings.allowedCidrs", cause: error });
        }
        return cidr.trim();
      });
    } else if (key === "alertWebhooks") {
      next.alertWebhooks = stringList(key, value).map(checkWebhook);
    } else {
      throw new GatewayError("BAD_REQUEST", `unknown group setting "${key}" (known: allowedCidrs, alertWebhooks)`, { field: `settings.${key}` });
    }
  }
  return next;
}

function checkWebhook(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new GatewayError("BAD_REQUEST", `alert webhook "${value}" is not a URL`, { field: "settings.alertWebhooks" });
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new GatewayError("BAD_REQUEST", `alert webhook "${value}" must be an http(s) URL`, { field: "settings.alertWebhooks" });
  }
  return url.toString();
}
