/**
 * @module
 * One place that loads libsodium. It is imported only on the first `sodium()` call, not at
 * start-up: its WASM cost a running agent ~2.5 MiB of heap and ~12 MiB of touched code, and
 * an agent needs it only for encrypted config values and key generation (signatures use
 * node:crypto, see identity.ts). Its ESM build has only a default export and must finish
 * loading its WASM (`ready`, ~10 ms) before any call, so callers await `sodium()`.
 */
import type libsodium from "libsodium-wrappers";

export type Sodium = typeof libsodium;

let loading: Promise<Sodium> | undefined;

/** Resolves once libsodium is loaded and ready; cheap after the first call. */
export function sodium(): Promise<Sodium> {
  loading ??= import("libsodium-wrappers").then(async ({ default: na }) => {
    await na.ready;
    return na;
  });
  return loading;
}
