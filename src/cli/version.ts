/**
 * @module
 * The version the binary reports. Release builds inline `OUTPOST_VERSION` with
 * `--define`; a dev checkout falls back to package.json's version.
 */
import pkg from "../../package.json" with { type: "json" };

declare const OUTPOST_VERSION: string | undefined;

export const VERSION: string = typeof OUTPOST_VERSION === "string" ? OUTPOST_VERSION : `${pkg.version}-dev`;
