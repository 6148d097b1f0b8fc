/**
 * @module
 * Checks resolved config data against `docs/config.schema.json` (with ajv's validator, see
 * schema-validator.ts) and turns its errors into short messages with key paths. Unknown keys (`additionalProperties`) come
 * back as warnings and are removed from the data, so the typed config holds only known
 * keys; everything else is an error. ajv is the one schema library we depend on: the
 * schema file is also what editors use, so it must be real JSON Schema, not code.
 */
import type { ErrorObject } from "ajv";
import validate from "./schema-validator.ts";
import type { Segment } from "./yaml-walk.ts";

export interface SchemaProblem {
  /** Path of the value the problem is about. */
  path: Segment[];
  /** Point at the key rather than the value (unknown keys, bad names, missing keys' parent). */
  atKey: boolean;
  message: string;
  severity: "error" | "warning";
}

/** Every schema problem in `data`; unknown keys are deleted from `data` as a side effect. */
export function checkSchema(data: unknown): SchemaProblem[] {
  if (validate(data)) return [];
  const problems: SchemaProblem[] = [];
  const seen = new Set<string>();
  for (const error of validate.errors ?? []) {
    const problem = describe(error, data);
    if (!problem) continue;
    const id = `${problem.path.join("\0")}\0${problem.message}`;
    if (seen.has(id)) continue;
    seen.add(id);
    problems.push(problem);
  }
  for (const problem of problems) {
    if (problem.severity === "warning") removeAt(data, problem.path);
  }
  return problems;
}

function describe(error: ErrorObject, data: unknown): SchemaProblem | undefined {
  const path = pointerToPath(error.instancePath, data);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case "if":
    case "propertyNames":
      return undefined; // the failing branch / the name's own error says it better
    case "additionalProperties":
      return { path: [...path, String(params.additionalProperty)], atKey: true, message: "unknown key (ignored)", severity: "warning" };
    case "required":
      return { path: [...path, String(params.missingProperty)], atKey: false, message: "is required", severity: "error" };
    case "enum":
      return { path, atKey: false, message: `must be one of ${(params.allowedValues as unknown[]).join(", ")}`, severity: "error" };
    case "minItems":
    case "minLength":
      if (params.limit === 1) return { path, atKey: false, message: "must not be empty", severity: "error" };
      break;
    case "pattern":
      if (error.propertyName === undefined) return { path, atKey: false, message: `must match ${String(params.pattern)}`, severity: "error" };
      break;
    case "type":
      return { path, atKey: false, message: `must be ${article(String(params.type))}`, severity: "error" };
  }
  if (error.propertyName !== undefined) {
    return {
      path: [...path, error.propertyName],
      atKey: true,
      message: "bad name: use only letters, digits, _ and -",
      severity: "error",
    };
  }
  return { path, atKey: false, message: error.message ?? "is not valid", severity: "error" };
}

function article(type: string): string {
  const names = type.split(",").map((t) => (t === "object" ? "a mapping" : t === "array" ? "a list" : t === "integer" ? "an integer" : `a ${t}`));
  return names.join(" or ");
}

/** `/databases/sales/port` → segments, numbers where the data holds a list. */
function pointerToPath(pointer: string, data: unknown): Segment[] {
  if (pointer === "") return [];
  const path: Segment[] = [];
  let current = data;
  for (const raw of pointer.slice(1).split("/")) {
    const key = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    const segment: Segment = Array.isArray(current) ? Number(key) : key;
    path.push(segment);
    current = (current as Record<string, unknown> | undefined)?.[segment as string];
  }
  return path;
}

function removeAt(data: unknown, path: Segment[]) {
  let parent = data as Record<string, unknown> | undefined;
  for (const segment of path.slice(0, -1)) parent = parent?.[segment as string] as Record<string, unknown> | undefined;
  if (parent && typeof parent === "object") delete parent[path[path.length - 1] as string];
}
