/**
 * @module
 * Comparing agent versions (`1.4.2`, `v1.5.0-rc.1`) for the "outdated agent" alert. Only
 * the numeric `major.minor.patch` counts; a pre-release suffix is ignored, and a version
 * that is not of this shape compares as `0.0.0`, so it is never the group's newest.
 */

function parts(version: string): [number, number, number] {
  const match = /^v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(version.trim());
  return match ? [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)] : [0, 0, 0];
}

/** Negative when `a` is older than `b`, 0 when equal, positive when newer (a sort comparator). */
export function compareVersions(a: string, b: string): number {
  const [x, y] = [parts(a), parts(b)];
  return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
}

/** How far `older` is behind `newer`: whole major versions, and minor versions within the same major. */
export function versionLag(newer: string, older: string): { major: number; minor: number } {
  const [x, y] = [parts(newer), parts(older)];
  return { major: x[0] - y[0], minor: x[0] === y[0] ? x[1] - y[1] : 0 };
}
