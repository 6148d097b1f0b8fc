/**
 * @module
 * Writes the `gateway:` section of config.yml for `outpost activate`, keeping every
 * other line, comment and key order of the file as the user left it. A missing file is
 * created with just that section. The write is atomic: a crash leaves the old file.
 */
import { existsSync, readFileSync } from "node:fs";
import { parseDocument } from "yaml";
import { writeFileAtomic } from "../crypto/atomic-file.ts";
import type { GatewaySection } from "./types.ts";

export function writeGatewaySection(path: string, section: GatewaySection): void {
  const text = existsSync(path) ? readFileSync(path, "utf8") : "# Outpost agent configuration. See docs/config.md.\n";
  const doc = parseDocument(text);
  if (doc.errors.length > 0) {
    throw new Error(`${path} has YAML errors; fix them before activating (${doc.errors[0]!.message.split("\n")[0]})`);
  }
  for (const [key, value] of Object.entries(section)) {
    if (value === undefined) doc.deleteIn(["gateway", key]);
    else doc.setIn(["gateway", key], value);
  }
  writeFileAtomic(path, doc.toString(), { mode: 0o600 });
}
