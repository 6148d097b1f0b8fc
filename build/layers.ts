/**
 * @module
 * The layering rules as data — the one source of truth. docs/architecture.md shows the same
 * table for readers; when a rule changes, change it here first and mirror it there.
 *
 * A room is a folder directly under `src/`. A file may import any file of its own room and
 * of the rooms listed for it; everything else of ours is a violation. Type-only imports count
 * too: an interface belongs to the room that consumes it.
 */

/** The rooms each room may import from (besides itself). `"*"` means every room. */
export const ROOM_RULES: Readonly<Record<string, readonly string[] | "*">> = {
  protocol: [],
  log: [],
  crypto: ["log"],
  config: ["crypto", "log"],
  tunnel: ["protocol"],
  connectors: ["config", "crypto", "log"],
  agent: ["protocol", "tunnel", "connectors", "config", "crypto", "log", "upgrade"],
  gateway: ["protocol", "tunnel", "crypto", "log"],
  upgrade: ["crypto", "log", "config"],
  service: ["log", "config"],
  client: ["protocol"],
  cli: "*",
};

/**
 * Database driver packages. Each costs start-up time (tedious alone ~90 ms), so they are
 * imported statically only inside a backend folder `src/connectors/<backend>/`, and that
 * folder is reached from the CLI only through `await import()`.
 */
export const LAZY_PACKAGES: readonly string[] = ["postgres", "mysql2", "tedious"];

/** The CLI entry from which start-up (static) loading is traced, relative to the repo root. */
export const ENTRY = "src/cli/main.ts";
