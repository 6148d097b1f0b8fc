/**
 * @module
 * Turns a parsed YAML document into plain data while remembering where every key and
 * value sits, so later checks (schema, secrets, names) can point at `file:line:column`.
 * Duplicate keys are found here (with the key's path) rather than by the YAML parser.
 * Value sources are resolved through `onString` / `onEncrypted` as the walk meets them.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, type Document, type Node } from "yaml";

export type Segment = string | number;

/** Where a value (and the key naming it, for map entries) starts, as byte offsets. */
export interface Spot {
  keyOffset?: number;
  valueOffset: number;
}

export interface WalkHooks {
  /** Returns the string to use instead of `text` (value sources); report problems yourself. */
  onString(text: string, path: Segment[], offset: number): string;
  /** Called for `{encrypted: text}`; returns the placeholder stored until decryption. */
  onEncrypted(text: string, path: Segment[], offset: number): string;
  onProblem(message: string, path: Segment[], offset: number): void;
}

export interface Walked {
  data: unknown;
  spots: Map<string, Spot>;
}

/** Dotted display path: `scripts.backup.commands.run.argv[0]`. */
export function dotted(path: readonly Segment[]): string {
  return path.map((seg, i) => (typeof seg === "number" ? `[${seg}]` : i === 0 ? seg : `.${seg}`)).join("");
}

export function walkDocument(doc: Document, hooks: WalkHooks): Walked {
  const spots = new Map<string, Spot>();
  const walk = (node: unknown, path: Segment[], depth: number): unknown => {
    if (depth > 64) {
      hooks.onProblem("nested too deeply", path, offsetOf(node));
      return null;
    }
    if (isAlias(node)) return walk(node.resolve(doc), path, depth + 1);
    if (isScalar(node)) {
      return typeof node.value === "string" ? hooks.onString(node.value, path, offsetOf(node)) : node.value;
    }
    if (isSeq(node)) {
      return node.items.map((item, index) => {
        const itemPath = [...path, index];
        spots.set(dotted(itemPath), { valueOffset: offsetOf(item) });
        return walk(item, itemPath, depth + 1);
      });
    }
    if (isMap(node)) {
      const encrypted = encryptedText(node);
      if (encrypted !== undefined) return encrypted === null
        ? (hooks.onProblem("an encrypted value is {encrypted: 'ov1:...'} with a string and no other key", path, offsetOf(node)), "")
        : hooks.onEncrypted(encrypted, path, offsetOf(node));
      const out: Record<string, unknown> = {};
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        const keyPath = [...path, key];
        const keyOffset = offsetOf(pair.key);
        if (Object.hasOwn(out, key)) {
          hooks.onProblem(`duplicate key "${key}"`, keyPath, keyOffset);
          continue;
        }
        spots.set(dotted(keyPath), { keyOffset, valueOffset: pair.value ? offsetOf(pair.value) : keyOffset });
        out[key] = pair.value == null ? null : walk(pair.value, keyPath, depth + 1);
      }
      return out;
    }
    return node ?? null;
  };
  spots.set("", { valueOffset: offsetOf(doc.contents) });
  return { data: walk(doc.contents, [], 0), spots };
}

/** The text of `{encrypted: text}`; `null` when the map has an `encrypted` key but is not exactly that; `undefined` otherwise. */
function encryptedText(node: Node): string | null | undefined {
  if (!isMap(node)) return undefined;
  const hasKey = node.items.some((pair) => isScalar(pair.key) && pair.key.value === "encrypted");
  if (!hasKey) return undefined;
  const only = node.items.length === 1 ? node.items[0] : undefined;
  return only && isScalar(only.value) && typeof only.value.value === "string" ? only.value.value : null;
}

function offsetOf(node: unknown): number {
  const range = (node as { range?: [number, number, number] } | null)?.range;
  return range ? range[0] : 0;
}
