/**
 * @module
 * The offline file checks of `config validate`: every file config.yml names must exist
 * (an error at its key), and the identity should (a warning: a config is written and
 * checked before `outpost activate` runs).
 */
import { dirname } from "node:path";
import { existsSync } from "node:fs";
import { fileProblem, fileReferences, identityFileOf } from "./file-refs.ts";
import type { OutpostConfig } from "./types.ts";
import type { Segment } from "./yaml-walk.ts";

export interface FileCheckProblem {
  key: Segment[];
  message: string;
  severity: "error" | "warning";
}

/** Problems with the files `config` names; `configPath` is config.yml's absolute path. */
export function configFileProblems(config: OutpostConfig, configPath: string): FileCheckProblem[] {
  const problems: FileCheckProblem[] = [];
  for (const ref of fileReferences(config, dirname(configPath))) {
    const message = fileProblem(ref);
    if (message) problems.push({ key: ref.key, message, severity: "error" });
  }
  // Without a gateway: section the agent has nowhere to connect; activation writes both.
  const identity = identityFileOf(config, configPath);
  if (config.gateway && !existsSync(identity.path)) {
    problems.push({ key: identity.key, message: `not activated yet: ${identity.path} does not exist (run \`outpost activate CODE --gateway URL\`)`, severity: "warning" });
  }
  return problems;
}
