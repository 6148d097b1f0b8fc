/**
 * @module
 * Doctor's lines for the files config.yml names: one per reference, ok or FAIL with the
 * key's position, so the fix is one jump away in an editor.
 */
import { dirname, relative } from "node:path";
import type { LoadedConfig } from "../../config/load.ts";
import { fileProblem, fileReferences, type FileReference } from "../../config/file-refs.ts";
import { dotted } from "../../config/yaml-walk.ts";
import type { CheckResult } from "./check.ts";

/** `config.yml:3:7` for a key of the loaded file. */
export function positionOf(loaded: LoadedConfig, key: FileReference["key"]): string {
  const { line, column } = loaded.locate(key);
  const file = relative(process.cwd(), loaded.path) || loaded.path;
  return `${file.startsWith("..") ? loaded.path : file}:${line}:${column}`;
}

export function checkFiles(loaded: LoadedConfig): CheckResult[] {
  return fileReferences(loaded.config, dirname(loaded.path)).map((ref) => {
    const problem = fileProblem(ref);
    const subject = dotted(ref.key);
    if (!problem) return { kind: "file", subject, verdict: "ok", detail: ref.path };
    return { kind: "file", subject, verdict: "fail", detail: `${positionOf(loaded, ref.key)} ${problem}`, hint: hintFor(ref) };
  });
}

function hintFor(ref: FileReference): string {
  switch (ref.need) {
    case "folder":
      return `create the folder or fix ${dotted(ref.key)} in config.yml`;
    case "program":
      return `install the program, or give its full path in ${dotted(ref.key)}`;
    case "parent":
      return `create the folder for the database file or fix ${dotted(ref.key)}`;
    default:
      return `put the file there (readable by the agent's user) or fix ${dotted(ref.key)} in config.yml`;
  }
}
