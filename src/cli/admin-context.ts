/**
 * @module
 * The saved gateway context of `outpost gateway login` (like a kubeconfig): the gateway's
 * URL, its admin token and the CA file to trust, in `$XDG_CONFIG_HOME/outpost/gateway.json`
 * (`~/.config/outpost/…`; `%APPDATA%\outpost\…` on Windows). The file holds a secret, so it
 * is written 0600 in a 0700 folder, through a temporary file renamed into place so a
 * crash never leaves half a token; a copy others can read is reported, not used silently.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { UsageError } from "./errors.ts";

export interface SavedContext {
  /** The gateway's base URL, `https://…`. */
  gateway: string;
  token: string;
  /** Absolute path of a PEM file with the CA that signed the gateway's certificate. */
  ca?: string;
}

/** Where the context lives; `env` is injected for tests. */
export function contextPath(env: NodeJS.ProcessEnv = process.env): string {
  const base = process.platform === "win32" && env.APPDATA ? env.APPDATA : env.XDG_CONFIG_HOME || join(env.HOME || homedir(), ".config");
  return join(base, "outpost", "gateway.json");
}

/** The saved context, or `undefined` when there is none. A damaged file is a UsageError naming it. */
export function readContext(path = contextPath()): SavedContext | undefined {
  if (!existsSync(path)) return undefined;
  let parsed: Partial<SavedContext>;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8")) as Partial<SavedContext>;
  } catch (error) {
    throw new UsageError(`${path} is not valid JSON; run \`outpost gateway login\` again`, { cause: error });
  }
  if (typeof parsed.gateway !== "string" || typeof parsed.token !== "string") {
    throw new UsageError(`${path} has no gateway and token; run \`outpost gateway login\` again`);
  }
  if (process.platform !== "win32" && (statSync(path).mode & 0o077) !== 0) {
    throw new UsageError(`${path} holds an admin token but others may read it; run \`chmod 600 ${path}\` or log in again`);
  }
  return { gateway: parsed.gateway, token: parsed.token, ca: typeof parsed.ca === "string" ? parsed.ca : undefined };
}

export function writeContext(context: SavedContext, path = contextPath()): void {
  const folder = dirname(path);
  if (!existsSync(folder)) mkdirSync(folder, { recursive: true, mode: 0o700 });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(context, null, 2)}\n`, { mode: 0o600 });
  // The umask may have narrowed the mode further, never widened it; chmod makes it exact.
  chmodSync(temporary, 0o600);
  renameSync(temporary, path);
}

/** Removes the saved context; `false` when there was none. */
export function removeContext(path = contextPath()): boolean {
  if (!existsSync(path)) return false;
  rmSync(path);
  return true;
}
