/**
 * @module
 * Small helpers for chaos tests: random payloads, digests, and `metric()`, which prints a
 * `chaos-metric` line (and appends it to `$OUTPOST_CHAOS_METRICS` when set) so the
 * numbers in docs/reliability.md come from real runs. Tests never assert on them.
 */
import { appendFileSync } from "node:fs";
import { createHash, randomBytes as nodeRandomBytes } from "node:crypto";

/** `size` random bytes. */
export function randomBytes(size: number): Uint8Array {
  return new Uint8Array(nodeRandomBytes(size));
}

/** Hex SHA-256 of `bytes`. */
export function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** Reports a measured number; never asserted. */
export function metric(name: string, values: Record<string, unknown>): void {
  const line = JSON.stringify({ metric: name, ...values });
  console.log(`chaos-metric ${line}`);
  const file = process.env.OUTPOST_CHAOS_METRICS;
  if (file) appendFileSync(file, line + "\n");
}
