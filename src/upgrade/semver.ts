/**
 * @module
 * Semantic version order (semver.org §11), enough to refuse downgrades: numeric
 * major.minor.patch, a pre-release sorts before its release, build metadata is ignored.
 */

/** Negative when a < b, zero when equal in precedence, positive when a > b. */
export function compareVersions(a: string, b: string): number {
  const [coreA, preA] = split(a);
  const [coreB, preB] = split(b);
  for (let i = 0; i < 3; i++) {
    const diff = (coreA[i] ?? 0) - (coreB[i] ?? 0);
    if (diff !== 0) return Math.sign(diff);
  }
  if (preA.length === 0 || preB.length === 0) return preB.length - preA.length === 0 ? 0 : preA.length === 0 ? 1 : -1;
  for (let i = 0; i < Math.max(preA.length, preB.length); i++) {
    const x = preA[i];
    const y = preB[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const diff = compareIdentifier(x, y);
    if (diff !== 0) return diff;
  }
  return 0;
}

function split(version: string): [number[], string[]] {
  const [main = "", ...rest] = version.replace(/^v/, "").split("+")[0]!.split("-");
  const pre = rest.join("-");
  return [main.split(".").map((part) => Number.parseInt(part, 10) || 0), pre === "" ? [] : pre.split(".")];
}

function compareIdentifier(x: string, y: string): number {
  const numeric = /^\d+$/;
  if (numeric.test(x) && numeric.test(y)) return Math.sign(Number(x) - Number(y));
  if (numeric.test(x)) return -1;
  if (numeric.test(y)) return 1;
  return x < y ? -1 : x > y ? 1 : 0;
}
