/**
 * @module
 * `bun run check:layers`: fails when an import under src/ crosses a line of the rules in
 * build/layers.ts (mirrored in docs/architecture.md). Prints one line per violation,
 * `src/tunnel/x.ts:3 imports src/gateway/y.ts: tunnel may import only protocol`.
 *
 * Usage: bun build/check-layers.ts [ROOT]   (ROOT defaults to this repository)
 * Exit codes: 0 clean, 1 violations found.
 */
import { resolve } from "node:path";
import { checkLayers, formatViolation } from "./layer-rules.ts";

const root = resolve(process.argv[2] ?? resolve(import.meta.dir, ".."));
const violations = await checkLayers({ root });
for (const violation of violations) console.error(formatViolation(violation));
if (violations.length > 0) {
  console.error(`check:layers: ${violations.length} violation(s)`);
  process.exit(1);
}
console.log("check:layers: no violations");
