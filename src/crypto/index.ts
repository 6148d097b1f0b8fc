export * from "./errors.ts";
export * from "./secretbox.ts";
export * from "./key-file.ts";
export * from "./identity.ts";
export { writeFileAtomic, type AtomicWriteOptions } from "./atomic-file.ts";
