/**
 * @module
 * config.yml as plain data, nothing checked and no secret resolved: for commands that need
 * one harmless section (service files, the key file's path) and must not fail on the rest.
 * A YAML error names the file, line and column, never the text of the line: it may hold a
 * password.
 */
import { readFileSync } from "node:fs";
import { LineCounter, parseDocument } from "yaml";

/** Throws an Error whose message is `file:line:column <what is wrong>` for bad YAML. */
export function readRawConfig(path: string): Record<string, unknown> {
  const lines = new LineCounter();
  const doc = parseDocument(readFileSync(path, "utf8"), { lineCounter: lines, prettyErrors: false, uniqueKeys: false });
  const [error] = doc.errors;
  if (error) {
    const { line, col } = lines.linePos(error.pos[0]);
    throw new Error(`${path}:${line}:${col} ${error.message.split("\n")[0]}`);
  }
  const value = doc.toJS() as unknown;
  return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
