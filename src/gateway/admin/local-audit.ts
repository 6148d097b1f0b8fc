/**
 * @module
 * Audit lines for changes made on the store directly (`outpost gateway … --data-dir`):
 * no token there, so the actor is the OS user who ran the command (its uid when no name
 * is known). They are appended as JSON to `audit.log` in the data folder (rotated like any
 * log file), not printed: a successful command keeps stderr empty, and the trail stays
 * beside the store it describes. The file is opened only when something changes.
 */
import { userInfo } from "node:os";
import { join, resolve } from "node:path";
import { FileSink } from "../../log/file-sink.ts";
import { createLogger, type Logger } from "../../log/logger.ts";
import type { AuditSink } from "./admin-service.ts";

export interface LocalAudit {
  sink: AuditSink;
  close(): void;
}

/** Audit lines of one CLI command on the store in `dataDir`. */
export function localAudit(dataDir: string): LocalAudit {
  const actor = osUser();
  const folder = resolve(dataDir);
  let file: FileSink | undefined;
  let log: Logger | undefined;
  return {
    sink(action, fields) {
      file ??= new FileSink({ path: join(folder, "audit.log") });
      log ??= createLogger("audit", { format: "json", sinks: [file] });
      log.info(action, { actor, uid: process.getuid?.(), via: "cli", dataDir: folder, ...fields });
    },
    close: () => file?.close(),
  };
}

/** The user's name, else `uid:N`. Bun reads the name from `$USER` ("unknown" when unset), so `uid` is logged beside it: the kernel's word. */
function osUser(): string {
  let name: string | undefined;
  try {
    name = userInfo().username;
  } catch {
    // No passwd entry (a container's arbitrary uid).
  }
  return name && name !== "unknown" ? name : `uid:${process.getuid?.() ?? "unknown"}`;
}
