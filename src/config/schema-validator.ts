/**
 * @module
 * The compiled validator of `docs/config.schema.json`, as this module's default export.
 * From source it is compiled with ajv when first imported. The executable never runs
 * this file: `bun run build` replaces it with ajv's standalone code for the same schema
 * and options (build/schema-validator-plugin.ts), because compiling the schema at start-up
 * cost the agent ~12 MiB of heap and ~7 MiB of touched code for the life of the process.
 * Both come from the one schema file, so they cannot drift apart.
 */
import Ajv, { type Options } from "ajv";
import schema from "../../docs/config.schema.json" with { type: "json" };

/** ajv options for the config schema; the build's standalone validator uses them too. */
export const SCHEMA_AJV_OPTIONS: Options = { allErrors: true, strict: false };

/** Path of the schema, for the build plugin (relative to the repository). */
export const SCHEMA_PATH = "docs/config.schema.json";

export default new Ajv(SCHEMA_AJV_OPTIONS).compile(schema);
