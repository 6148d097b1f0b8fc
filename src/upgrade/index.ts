export * from "./errors.ts";
export { performUpgrade, type UpgradeOptions, type UpgradeResult } from "./perform.ts";
export { rollbackUpgrade, type RollbackOptions } from "./rollback.ts";
export { DEFAULT_RELEASE_BASE, EXIT_UPGRADED, releaseBase } from "./defaults.ts";
export { verifyManifest, type ReleaseManifest, type ManifestFile } from "./manifest.ts";
export { RELEASE_KEYS } from "./release-keys.ts";
export { currentTarget } from "./platform.ts";
export { compareVersions } from "./semver.ts";
