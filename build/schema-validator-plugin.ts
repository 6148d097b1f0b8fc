/**
 * @module
 * A Bun build plugin that swaps `src/config/schema-validator.ts` (which compiles the config
 * schema with ajv at start-up) for ajv's standalone validator of the same schema, generated
 * here at build time. The executable then carries plain validation code: no ajv compiler,
 * no code generation at start-up. The schema file stays the only source; nothing generated
 * is committed.
 */
import type { BunPlugin } from "bun";
import Ajv from "ajv";
import standaloneCode from "ajv/dist/standalone";
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { SCHEMA_AJV_OPTIONS, SCHEMA_PATH } from "../src/config/schema-validator.ts";

const ROOT = resolve(import.meta.dir, "..");
const MODULE = /[\\/]src[\\/]config[\\/]schema-validator\.ts$/;

/** ESM source of a module whose default export validates config data against the schema. */
export async function standaloneValidatorSource(): Promise<string> {
  const schema = JSON.parse(await readFile(join(ROOT, SCHEMA_PATH), "utf8")) as object;
  const ajv = new Ajv({ ...SCHEMA_AJV_OPTIONS, code: { source: true, esm: true, lines: false } });
  return standaloneCode(ajv, ajv.compile(schema));
}

/** The plugin `compileTarget` passes to `Bun.build`. */
export const schemaValidatorPlugin: BunPlugin = {
  name: "outpost-standalone-schema-validator",
  setup(build) {
    build.onLoad({ filter: MODULE }, async () => ({ contents: await standaloneValidatorSource(), loader: "js" }));
  },
};
