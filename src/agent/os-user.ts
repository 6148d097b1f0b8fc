/**
 * @module
 * The OS user the agent runs as, for the gateway's agent view. `os.userInfo()` may throw
 * (a uid with no passwd entry, as in many containers), and under Bun its `username` is
 * taken from `$USER`, so it says "unknown" when that is unset (systemd services, cron,
 * `env -i`). The fallbacks, in order: `$USER`/`$LOGNAME`/`$USERNAME`, the passwd entry
 * of the uid, and the uid itself (`uid 1001`).
 */
import { readFileSync } from "node:fs";
import { userInfo } from "node:os";

export function osUser(env: Record<string, string | undefined> = process.env, passwdPath = "/etc/passwd"): string {
  let name: string | undefined;
  try {
    name = userInfo().username;
  } catch {
    // No passwd entry for this uid: fall through.
  }
  if (name && name !== "unknown") return name;
  const fromEnv = env.USER || env.LOGNAME || env.USERNAME;
  if (fromEnv) return fromEnv;
  const uid = process.getuid?.();
  if (uid === undefined) return "unknown"; // Windows without USERNAME: nothing else to ask
  return passwdName(uid, passwdPath) ?? `uid ${uid}`;
}

function passwdName(uid: number, path: string): string | undefined {
  try {
    for (const line of readFileSync(path, "utf8").split("\n")) {
      const [name, , id] = line.split(":");
      if (name && id === String(uid)) return name;
    }
  } catch {
    // No readable passwd file: the uid is all there is.
  }
  return undefined;
}
