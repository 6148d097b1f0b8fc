/**
 * @module
 * Checks a script call's parameters against the profile's declarations before anything
 * runs, and builds the argv: each `{name}` placeholder is replaced by the value's text
 * inside its own argv element, so a value can never become two arguments or reach a shell.
 * A value that begins an argv element — `{name}`, `{name}.txt`, or `{a}{b}` with `a`
 * empty — and starts with `-` is refused unless the parameter sets `allow_dash`: the
 * program would read it as an option (`--output=/etc/x.txt`). A dash the administrator
 * wrote (`-{x}`, `--name={who}`) is theirs and passes. Only an enum may pick the program.
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
  // A caller who can fill argv[0] chooses which program runs; only the admin's list may.
  for (const [, param] of command.argv[0]!.matchAll(PLACEHOLDER)) {
    if (command.params![param!]!.type !== "enum") throw bad(`script ${name}: argv[0] uses {${param}}; only an enum parameter may choose the program`);
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
  const values = new Map<string, string>();
  for (const [name, spec] of Object.entries(specs)) {
    const value = given[name] ?? spec.default ?? null;
    if (value === null) {
      if (spec.required ?? true) throw bad(`parameter "${name}" is required`);
      continue;
    }
    values.set(name, checkValue(name, spec, value));
  }
  return values;
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
 * The check for a leading dash is made on the built element, so it sees which value
 * supplied its first character however the placeholders are arranged.
 */
export function buildArgv(command: ScriptCommand, values: Map<string, string>): string[] {
  const out: string[] = [];
  for (const element of command.argv) {
    const whole = WHOLE_PLACEHOLDER.exec(element);
    if (whole && !values.has(whole[1]!)) continue;
    let text = "";
    let leader: string | undefined;
    let literalFrom = 0;
    for (const match of element.matchAll(PLACEHOLDER)) {
      text += element.slice(literalFrom, match.index);
      const value = values.get(match[1]!) ?? "";
      if (text === "" && value !== "") leader = match[1]!;
      text += value;
      literalFrom = match.index + match[0].length;
    }
    text += element.slice(literalFrom);
    if (leader !== undefined && text.startsWith("-") && !mayLeadWithDash(command.params![leader]!)) {
      throw bad(`parameter "${leader}" must not start with "-" where it begins an argument (it would read as an option)`);
    }
    out.push(text);
  }
  return out;
}

/** Enum values were listed by the administrator, so a leading dash there is intended. */
function mayLeadWithDash(spec: ScriptParam): boolean {
  return spec.type === "enum" || spec.allow_dash === true;
}
