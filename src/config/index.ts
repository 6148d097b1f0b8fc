export * from "./types.ts";
export * from "./errors.ts";
export { loadConfig, loadConfigSections, type LoadedConfig, type LoadOptions, type KeyProvider } from "./load.ts";
export { watchConfig, type WatchOptions } from "./watch.ts";
export { STARTER_CONFIG } from "./starter.ts";
export { canonicalJson } from "./profile-hash.ts";
