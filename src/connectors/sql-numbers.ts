/**
 * @module
 * Floating-point values as JSON, the same way for every SQL backend (the value table in
 * docs/connectors.md). A JSON number is written in the shortest form that reads back as the
 * same value; for a 32-bit float (`float4`, `FLOAT`, `real`) that is the shortest form of
 * the float32, which is what the servers print — drivers widen it to a double first, and
 * the double's own shortest form shows the widening (`3.141590118408203` for `3.14159`).
 * JSON has no NaN or infinities, so those are the strings `"NaN"`, `"Infinity"`, `"-Infinity"`.
 */

/** A double as JSON: the number, or `"NaN"` / `"Infinity"` / `"-Infinity"`. */
export function doubleToJson(value: number): number | string {
  return Number.isFinite(value) ? value : String(value);
}

/** A float32 (possibly widened to a double by the driver) as its shortest round-trip decimal. */
export function float32ToJson(value: number): number | string {
  if (!Number.isFinite(value)) return String(value);
  const single = Math.fround(value);
  // The nearest d-digit decimal is the one to try: if any d-digit decimal reads back as
  // `single`, the nearest does. Nine significant digits always do.
  for (let digits = 1; digits < 9; digits++) {
    const candidate = Number(single.toPrecision(digits));
    if (Math.fround(candidate) === single) return candidate;
  }
  return Number(single.toPrecision(9));
}
