/**
 * @module
 * The files and folders config.yml names (the gateway's CA, TLS files of profiles, files
 * bases, script programs and folders, extension modules, SQLite files) and whether each is
 * there. `config validate` turns a missing one into an error at its key's position;
 * `outpost doctor` prints one line per reference. Relative paths resolve against
 * config.yml's folder, as the agent resolves them. Only metadata is read, never contents.
 */
import { accessSync, constants, statSync } from "node:fs";
import { delimiter, dirname, isAbsolute, join, resolve } from "node:path";
import type { OutpostConfig } from "./types.ts";
import type { Segment } from "./yaml-walk.ts";

/** What the path must be: a readable file, a folder, a program that can run, or a folder a new file can go in. */
export type FileNeed = "file" | "folder" | "program" | "parent";

export interface FileReference {
  /** The key naming it: `gateway.ca` → `["gateway", "ca"]`. */
  key: Segment[];
  /** As written in config.yml. */
  written: string;
  /** Absolute path (a program without a slash is looked up on PATH). */
  path: string;
  need: FileNeed;
}

/** Every file reference in `config`; `baseDir` is config.yml's folder. */
export function fileReferences(config: OutpostConfig, baseDir: string): FileReference[] {
  const refs: FileReference[] = [];
  const add = (key: Segment[], written: unknown, need: FileNeed) => {
    if (typeof written !== "string" || written === "") return;
    refs.push({ key, written, path: need === "program" ? programPath(written, baseDir) : resolve(baseDir, written), need });
  };
  add(["gateway", "ca"], config.gateway?.ca, "file");
  for (const [name, db] of entries(config.databases)) {
    for (const part of ["ca", "cert", "key"] as const) add(["databases", name, "ssl", part], db.ssl?.[part], "file");
    if (db.adapter === "sqlite" && db.path !== ":memory:") add(["databases", name, "path"], db.path, db.readonly ? "file" : "parent");
  }
  for (const [name, files] of entries(config.files)) add(["files", name, "base"], files.base, "folder");
  for (const [name, http] of entries(config.http)) {
    // An HTTP profile's TLS value may be the PEM text itself rather than a path.
    for (const part of ["ca", "cert", "key"] as const) {
      if (!http.tls?.[part]?.includes("-----BEGIN")) add(["http", name, "tls", part], http.tls?.[part], "file");
    }
  }
  for (const [name, scripts] of entries(config.scripts)) {
    for (const [command, spec] of entries(scripts.commands)) {
      for (const program of programs(spec.argv, spec.params)) add(["scripts", name, "commands", command, "argv", 0], program, "program");
      add(["scripts", name, "commands", command, "cwd"], spec.cwd, "folder");
    }
  }
  for (const [name, extension] of entries(config.extensions)) add(["extensions", name, "module"], extension.module, "file");
  return refs;
}

/** What is wrong with the reference, or undefined when it is usable. Names the path, never contents. */
export function fileProblem(ref: FileReference): string | undefined {
  const target = ref.need === "parent" ? resolve(ref.path, "..") : ref.path;
  // Windows finds a bare program name through PATHEXT (df.exe, df.cmd, …), which this
  // lookup does not imitate: such a name is left to the agent's start-up check.
  if (ref.need === "program" && process.platform === "win32" && !/[\\/]/.test(ref.written)) return undefined;
  let isDirectory: boolean;
  try {
    isDirectory = statSync(target).isDirectory();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (ref.need === "program" && !ref.written.includes("/") && !ref.written.includes("\\")) return `program "${ref.written}" is not on PATH`;
    const what = ref.need === "parent" ? `folder ${target} (for ${ref.path})` : target;
    return code === "ENOENT" ? `${what} does not exist` : `cannot read ${target}: ${code ?? "unreadable"}`;
  }
  const wantFolder = ref.need === "folder" || ref.need === "parent";
  if (wantFolder !== isDirectory) return `${target} is ${isDirectory ? "a folder" : "not a folder"}`;
  const mode = ref.need === "program" ? constants.X_OK : ref.need === "parent" ? constants.W_OK : constants.R_OK;
  try {
    accessSync(target, mode);
  } catch {
    return ref.need === "program" ? `${target} is not executable` : ref.need === "parent" ? `${target} is not writable` : `${target} is not readable by this user`;
  }
  return undefined;
}

function entries<T>(section: Record<string, T> | undefined): [string, T][] {
  return section && typeof section === "object" ? Object.entries(section).filter(([, v]) => v && typeof v === "object") : [];
}

/** argv[0], or each value of the enum parameter that chooses it (`{tool}`); other placeholders cannot be checked. */
function programs(argv: unknown, params: Record<string, { type?: string; values?: string[] }> | undefined): string[] {
  const first = Array.isArray(argv) ? argv[0] : undefined;
  if (typeof first !== "string") return [];
  const placeholder = /\{([A-Za-z_][A-Za-z0-9_]*)\}/.exec(first);
  if (!placeholder) return [first];
  const param = params?.[placeholder[1]!];
  return param?.type === "enum" ? (param.values ?? []).map((value) => first.replace(placeholder[0], value)) : [];
}

/** Where a program runs from: a path (relative to config.yml's folder) or the first PATH entry holding it. */
function programPath(program: string, baseDir: string): string {
  if (isAbsolute(program) || program.includes("/") || program.includes("\\")) return resolve(baseDir, program);
  for (const dir of (process.env.PATH ?? "").split(delimiter).filter(Boolean)) {
    const candidate = join(dir, program);
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not in this entry
    }
  }
  return program;
}

/** The identity file `outpost activate` writes: `gateway.identity`, else identity.json beside config.yml. */
export function identityFileOf(config: OutpostConfig, configPath: string): FileReference {
  const written = config.gateway?.identity;
  const key: Segment[] = written ? ["gateway", "identity"] : ["gateway"];
  return { key, written: written ?? "identity.json", path: resolve(dirname(configPath), written ?? "identity.json"), need: "file" };
}
