/**
 * @module
 * Where the secret key for `{encrypted: ...}` values comes from: `OUTPOST_SECRET_KEY`
 * (base64 of 32 bytes) when set, else a key file (default `secret.key` beside config.yml).
 * `outpost encrypt` creates the file on first use (random key, mode 0600, atomic, never
 * overwriting); loading a config never creates one.
 *
 * The key is per group, not per machine: copy the same key file to every agent of a group
 * and one config.yml (with its encrypted values) serves them all.
 */
import { readFileSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import { writeFileAtomic } from "./atomic-file.ts";
import { CryptoError } from "./errors.ts";
import { KEY_BYTES } from "./secretbox.ts";
import { sodium } from "./sodium.ts";

export const SECRET_KEY_ENV = "OUTPOST_SECRET_KEY";
export const DEFAULT_KEY_FILE = "secret.key";

export interface SecretKey {
  key: Uint8Array;
  /** `env` when `OUTPOST_SECRET_KEY` gave it, else `file`. */
  source: "env" | "file";
  /** The key file, when `source` is `file`. */
  path?: string;
  /** True when this call created the key file. */
  created: boolean;
}

export interface LoadSecretKeyOptions {
  /** The key file to use when the env var is absent. */
  path: string;
  /** Defaults to `process.env`. */
  env?: Record<string, string | undefined>;
  /** Create the key file when it does not exist. Defaults to `false`. */
  create?: boolean;
}

/** The key file's absolute path: `key_file` (relative to config.yml's folder) or `secret.key` beside it. */
export function keyFilePath(configPath: string, keyFile?: string): string {
  const base = dirname(resolve(configPath));
  return keyFile ? (isAbsolute(keyFile) ? keyFile : resolve(base, keyFile)) : resolve(base, DEFAULT_KEY_FILE);
}

/** Decodes base64 text of exactly 32 bytes; `source` names where it came from in the error. */
export function parseKey(text: string, source: string): Uint8Array {
  const trimmed = text.trim();
  const bytes = /^[A-Za-z0-9+/]+={0,2}$/.test(trimmed) ? Buffer.from(trimmed, "base64") : Buffer.alloc(0);
  if (bytes.length !== KEY_BYTES) {
    throw new CryptoError("KEY_INVALID", `${source} must hold base64 of ${KEY_BYTES} bytes`);
  }
  return new Uint8Array(bytes);
}

/** Reads a key file. Throws `KEY_MISSING` when absent, `KEY_UNREADABLE` otherwise, `KEY_INVALID` on bad content. */
export function readKeyFile(path: string): Uint8Array {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") {
      throw new CryptoError("KEY_MISSING", `secret key file ${path} does not exist (set ${SECRET_KEY_ENV} or copy the group's key file there)`, { cause: error });
    }
    throw new CryptoError("KEY_UNREADABLE", `cannot read secret key file ${path}: ${code ?? (error as Error).message}`, { cause: error });
  }
  return parseKey(text, `secret key file ${path}`);
}

/** Creates a new random key file (0600, atomic, refuses to overwrite) and returns its key. */
export async function createKeyFile(path: string): Promise<Uint8Array> {
  const na = await sodium();
  const key = na.randombytes_buf(KEY_BYTES);
  writeFileAtomic(path, Buffer.from(key).toString("base64") + "\n", { mode: 0o600, exclusive: true });
  return key;
}

/** The secret key from `OUTPOST_SECRET_KEY`, else from the key file (created when `create` and absent). */
export async function loadSecretKey(options: LoadSecretKeyOptions): Promise<SecretKey> {
  const fromEnv = (options.env ?? process.env)[SECRET_KEY_ENV];
  if (fromEnv) return { key: parseKey(fromEnv, SECRET_KEY_ENV), source: "env", created: false };
  try {
    return { key: readKeyFile(options.path), source: "file", path: options.path, created: false };
  } catch (error) {
    if (!options.create || (error as CryptoError).code !== "KEY_MISSING") throw error;
  }
  try {
    return { key: await createKeyFile(options.path), source: "file", path: options.path, created: true };
  } catch (error) {
    // Another process created it between our read and our create: use theirs.
    if ((error as NodeJS.ErrnoException).code === "EEXIST") {
      return { key: readKeyFile(options.path), source: "file", path: options.path, created: false };
    }
    throw new CryptoError("KEY_UNREADABLE", `cannot create secret key file ${options.path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { cause: error });
  }
}
