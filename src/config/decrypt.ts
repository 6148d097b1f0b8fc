/**
 * @module
 * Opens the `{encrypted: 'ov1:...'}` values found while walking config.yml. The key is
 * fetched once, and only when at least one encrypted value exists, so a config without
 * secrets never needs a key file. Failures name the value's key path, not its content.
 */
import { decryptValue } from "../crypto/secretbox.ts";
import { keyFilePath, loadSecretKey } from "../crypto/key-file.ts";
import type { Segment } from "./yaml-walk.ts";

/** Supplies the 32-byte secret key; may throw (its message is shown, so it must not hold the key). */
export type KeyProvider = () => Promise<Uint8Array>;

export interface EncryptedValue {
  text: string;
  path: Segment[];
  offset: number;
}

export interface DecryptContext {
  configPath: string;
  /** `secrets.key_file` as written, if any. */
  keyFile?: unknown;
  env: Record<string, string | undefined>;
  keyProvider?: KeyProvider;
}

export interface DecryptFailure {
  value: EncryptedValue;
  message: string;
}

/** Decrypts every value into `data` in place; returns the ones that failed. */
export async function decryptAll(values: EncryptedValue[], data: unknown, context: DecryptContext): Promise<DecryptFailure[]> {
  let key: Uint8Array;
  try {
    key = await (context.keyProvider ?? defaultKeyProvider(context))();
  } catch (error) {
    // One problem for the key, reported at the first value that needed it.
    const more = values.length > 1 ? ` (and ${values.length - 1} more encrypted value(s))` : "";
    return [{ value: values[0]!, message: `cannot decrypt: ${(error as Error).message}${more}` }];
  }
  const failures: DecryptFailure[] = [];
  for (const value of values) {
    try {
      setAt(data, value.path, await decryptValue(value.text, key));
    } catch (error) {
      failures.push({ value, message: (error as Error).message });
    }
  }
  return failures;
}

function defaultKeyProvider(context: DecryptContext): KeyProvider {
  const keyFile = typeof context.keyFile === "string" && context.keyFile !== "" ? context.keyFile : undefined;
  return async () => (await loadSecretKey({ path: keyFilePath(context.configPath, keyFile), env: context.env })).key;
}

function setAt(data: unknown, path: Segment[], value: string) {
  let parent = data as Record<string | number, unknown>;
  for (const segment of path.slice(0, -1)) parent = parent[segment] as Record<string | number, unknown>;
  parent[path[path.length - 1]!] = value;
}
