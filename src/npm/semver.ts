/**
 * Just enough semver for "the newest release of a major": plain `MAJOR.MINOR.PATCH` versions
 * (an optional `v` and `+build` are tolerated); prereleases (`-rc.1`) are not releases and are skipped.
 */

export type Triple = readonly [number, number, number];

/** The numeric parts of a release version, or undefined for prereleases and non-versions. */
export function parseRelease(version: string): Triple | undefined {
  const m = /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:\+[0-9A-Za-z.-]+)?$/.exec(version.trim());
  if (!m) return undefined;
  const t = [Number(m[1]), Number(m[2]), Number(m[3])] as const;
  return t.every(Number.isSafeInteger) ? t : undefined;
}

/** Negative, zero or positive as `a` sorts before, with or after `b`. */
export function compareTriples(a: Triple, b: Triple): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

/** The newest release version with this major among `versions`, or undefined. */
export function newestOfMajor(versions: Iterable<string>, major: number): string | undefined {
  let best: { v: string; t: Triple } | undefined;
  for (const v of versions) {
    const t = parseRelease(v);
    if (!t || t[0] !== major) continue;
    if (!best || compareTriples(t, best.t) > 0) best = { v, t };
  }
  return best?.v;
}
