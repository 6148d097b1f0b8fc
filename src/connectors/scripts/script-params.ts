/**
 * @module
 * Checks a script call's parameters against the profile's declarations before anything
 * runs, and builds the argv: each `{name}` placeholder is replaced by the value's text
 * inside its own argv element, so a value can never become two arguments or reach a shell.
 * A value that fills a whole argv element and starts with `-` is refused unless the
 * parameter sets `allow_dash`: the program would read it as an option (`--output=/etc/x`).
 */
import type { ScriptCommand, ScriptParam } from "../../config/types.ts";
import type { JsonValue } from "../connector.ts";
import { ConnectorError } from "../errors.ts";

const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_-]*)\}/g;
const WHOLE_PLACEHOLDER = /^\{([A-Za-z_][A-Za-z0-9_-]*)\}$/;

const PATTERNS = new Map<string, RegExp>();

/** A parameter's `pattern` as it is checked (whole value, Unicode), compiled once: at load. */
function patternOf(pattern: string): RegExp {
  let regex = PATTERNS.get(pattern);
  if (!regex) PATTERNS.set(pattern, (regex = new RegExp(`^(?:${pattern})$`, "u")));
  return regex;
}

function bad(message: string): ConnectorError {
  return new ConnectorError("BAD_REQUEST", message);
}

/** Throws at load time when argv names a placeholder the command does not declare. */
export function checkCommand(name: string, command: ScriptCommand): void {
  if (!Array.isArray(command.argv) || command.argv.length === 0) throw bad(`script ${name}: argv must be a non-empty list`);
  for (const element of command.argv) {
    for (const [, param] of element.matchAll(PLACEHOLDER)) {
      if (!command.params?.[param!]) throw bad(`script ${name}: argv uses {${param}} which is not a declared parameter`);
    }
  }
  for (const [param, spec] of Object.entries(command.params ?? {})) {
    if (spec.type === "string" && spec.pattern !== undefined) {
      try {
        patternOf(spec.pattern);
      } catch (error) {
        throw bad(`script ${name}: parameter ${param}: pattern is not a valid regular expression (${(error as Error).message})`);
      }
    }
    if (spec.type === "enum" && !spec.values?.length) throw bad(`script ${name}: enum parameter ${param} needs values`);
  }
}

/** Validated parameters as argv text; absent optional parameters are missing from the map. */
export function validateParams(command: ScriptCommand, given: Record<string, JsonValue>): Map<string, string> {
  if (given === null || typeof given !== "object" || Array.isArray(given)) throw bad("params must be an object");
  const specs = command.params ?? {};
  for (const name of Object.keys(given)) {
    if (!Object.hasOwn(specs, name)) throw bad(`unknown parameter "${name}"`);
  }
  const standalone = wholeElementParams(command.argv);
  const values = new Map<string, string>();
  for (const [name, spec] of Object.entries(specs)) {
    const value = given[name] ?? spec.default ?? null;
    if (value === null) {
      if (spec.required ?? true) throw bad(`parameter "${name}" is required`);
      continue;
    }
    const text = checkValue(name, spec, value);
    // Enum values were listed by the administrator, so a leading dash there is intended.
    if (text.startsWith("-") && standalone.has(name) && spec.type !== "enum" && !spec.allow_dash) {
      throw bad(`parameter "${name}" must not start with "-" (it would read as an option)`);
    }
    values.set(name, text);
  }
  return values;
}

/** Names of the parameters that make up a whole argv element: the ones a program can take for an option. */
function wholeElementParams(argv: string[]): Set<string> {
  const names = new Set<string>();
  for (const element of argv) {
    const whole = WHOLE_PLACEHOLDER.exec(element);
    if (whole) names.add(whole[1]!);
  }
  return names;
}

function checkValue(name: string, spec: ScriptParam, value: JsonValue): string {
  switch (spec.type) {
    case "string": {
      if (typeof value !== "string") throw bad(`parameter "${name}" must be a string`);
      if (value.includes("\0")) throw bad(`parameter "${name}" contains a NUL byte`);
      if (spec.pattern !== undefined && !patternOf(spec.pattern).test(value)) {
        throw bad(`parameter "${name}" does not match its pattern`);
      }
      return value;
    }
    case "integer": {
      const text = typeof value === "number" ? (Number.isSafeInteger(value) ? String(value) : "") : String(value);
      if ((typeof value !== "number" && typeof value !== "string") || !/^-?\d{1,18}$/.test(text)) {
        throw bad(`parameter "${name}" must be an integer`);
      }
      return text;
    }
    case "number": {
      const number = typeof value === "number" ? value : typeof value === "string" && value.trim() !== "" ? Number(value) : NaN;
      if (!Number.isFinite(number)) throw bad(`parameter "${name}" must be a number`);
      return String(number);
    }
    case "boolean": {
      if (value === true || value === "true") return "true";
      if (value === false || value === "false") return "false";
      throw bad(`parameter "${name}" must be true or false`);
    }
    case "enum": {
      if (typeof value !== "string" || !spec.values?.includes(value)) throw bad(`parameter "${name}" must be one of: ${spec.values?.join(", ")}`);
      return value;
    }
    default:
      throw bad(`parameter "${name}" has an unknown type`);
  }
}

/**
 * Replaces placeholders element by element. An element that is only `{name}` is dropped
 * when the optional parameter is absent; inside longer text an absent value is empty.
 */
export function buildArgv(argv: string[], values: Map<string, string>): string[] {
  const out: string[] = [];
  for (const element of argv) {
    const whole = WHOLE_PLACEHOLDER.exec(element);
    if (whole) {
      const value = values.get(whole[1]!);
      if (value !== undefined) out.push(value);
      continue;
    }
    out.push(element.replace(PLACEHOLDER, (_, name: string) => values.get(name) ?? ""));
  }
  return out;
}
