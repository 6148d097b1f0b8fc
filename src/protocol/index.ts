/** @module The wire protocol shared by agent and gateway; see `SPEC.md`. */
export * from "./errors.ts";
export * from "./frame.ts";
export * from "./codec.ts";
export * from "./messages.ts";
export * from "./hello.ts";
export * from "./operations.ts";
export * from "./rotation.ts";
