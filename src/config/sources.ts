/**
 * @module
 * Value sources inside strings: `${env:NAME}` (the variable must be set) and
 * `${file:/path}` (the file's contents, one trailing newline trimmed; a relative path is
 * relative to config.yml's folder). Several may appear in one string. Errors name the
 * variable or file, never a value.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";

const REFERENCE = /\$\{(env|file):([^}]*)\}/g;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface SourceContext {
  env: Record<string, string | undefined>;
  /** Folder relative `${file:...}` paths start from. */
  baseDir: string;
}

export type SourceResult = { value: string; sources: string[] } | { error: string };

/** Replaces every reference in `text`; the first failing reference is reported. */
export function resolveSources(text: string, context: SourceContext): SourceResult {
  if (!text.includes("${")) return { value: text, sources: [] };
  const sources: string[] = [];
  let error: string | undefined;
  const value = text.replace(REFERENCE, (_match, kind: string, arg: string) => {
    if (error) return "";
    const resolved = kind === "env" ? fromEnv(arg, context) : fromFile(arg, context);
    if ("error" in resolved) {
      error = resolved.error;
      return "";
    }
    sources.push(`${kind}:${arg}`);
    return resolved.value;
  });
  return error ? { error } : { value, sources };
}

function fromEnv(name: string, context: SourceContext): { value: string } | { error: string } {
  if (!ENV_NAME.test(name)) return { error: `\${env:${name}}: "${name}" is not a valid environment variable name` };
  const value = context.env[name];
  return value === undefined ? { error: `environment variable ${name} is not set (\${env:${name}})` } : { value };
}

function fromFile(path: string, context: SourceContext): { value: string } | { error: string } {
  if (path.trim() === "") return { error: "${file:} needs a path" };
  const full = resolve(context.baseDir, path);
  try {
    return { value: readFileSync(full, "utf8").replace(/\r?\n$/, "") };
  } catch (error) {
    return { error: `cannot read ${full} (\${file:${path}}): ${(error as NodeJS.ErrnoException).code ?? "unreadable"}` };
  }
}
