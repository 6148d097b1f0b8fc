/**
 * @module
 * One place that waits for libsodium. Its ESM build has only a default export and must
 * finish loading its WASM (`ready`, ~10 ms) before any call, so callers await `sodium()`.
 */
import libsodium from "libsodium-wrappers";

export type Sodium = typeof libsodium;

/** Resolves once libsodium is ready; cheap after the first call. */
export async function sodium(): Promise<Sodium> {
  await libsodium.ready;
  return libsodium;
}
