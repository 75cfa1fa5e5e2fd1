/**
 * Debian version comparison exactly as dpkg does it (Debian Policy 5.6.12 and dpkg's
 * lib/dpkg/version.c): epoch numerically, then upstream version and Debian revision each
 * compared as alternating non-digit and digit runs, where `~` sorts before everything (even
 * the end of the string), letters sort before non-letters, and digit runs compare as numbers.
 */
import { DebianError } from './errors.ts';

/** A parsed Debian version. */
export interface DebianVersion {
  readonly epoch: number;
  readonly upstream: string;
  /** The Debian revision; '' when the version has no hyphen. */
  readonly revision: string;
}

const cache = new Map<string, DebianVersion>();

/** Parses `[epoch:]upstream[-revision]`; throws DEBIAN_VERSION_INVALID on malformed input. */
export function parseVersion(text: string): DebianVersion {
  const hit = cache.get(text);
  if (hit) return hit;
  const s = text.trim();
  if (s === '' || /\s/.test(s))
    throw new DebianError('DEBIAN_VERSION_INVALID', `invalid version ${JSON.stringify(text)}`);
  let epoch = 0;
  let rest = s;
  const colon = s.indexOf(':');
  if (colon >= 0) {
    const e = s.slice(0, colon);
    if (!/^[0-9]+$/.test(e))
      throw new DebianError('DEBIAN_VERSION_INVALID', `invalid epoch in ${JSON.stringify(text)}`);
    epoch = Number(e);
    rest = s.slice(colon + 1);
  }
  const dash = rest.lastIndexOf('-');
  const upstream = dash >= 0 ? rest.slice(0, dash) : rest;
  const revision = dash >= 0 ? rest.slice(dash + 1) : '';
  if (upstream === '' || !/^[0-9A-Za-z.+~:-]+$/.test(upstream) || !/^[0-9A-Za-z.+~]*$/.test(revision))
    throw new DebianError('DEBIAN_VERSION_INVALID', `invalid version ${JSON.stringify(text)}`);
  const v = { epoch, upstream, revision };
  if (cache.size > 100_000) cache.clear();
  cache.set(text, v);
  return v;
}

// dpkg's order(): digits 0, end-of-string 0, letters their code, `~` -1, other chars code + 256.
function order(c: number): number {
  if (c >= 48 && c <= 57) return 0;
  if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) return c;
  if (c === 126) return -1;
  return c + 256;
}

const isDigit = (c: number) => c >= 48 && c <= 57;

/** dpkg's verrevcmp: compares one upstream or revision part. */
function compareParts(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    let firstDiff = 0;
    while ((i < a.length && !isDigit(a.charCodeAt(i))) || (j < b.length && !isDigit(b.charCodeAt(j)))) {
      const ac = i < a.length ? order(a.charCodeAt(i)) : 0;
      const bc = j < b.length ? order(b.charCodeAt(j)) : 0;
      if (ac !== bc) return ac - bc;
      i++;
      j++;
    }
    while (a.charCodeAt(i) === 48) i++;
    while (b.charCodeAt(j) === 48) j++;
    while (i < a.length && isDigit(a.charCodeAt(i)) && j < b.length && isDigit(b.charCodeAt(j))) {
      if (!firstDiff) firstDiff = a.charCodeAt(i) - b.charCodeAt(j);
      i++;
      j++;
    }
    if (i < a.length && isDigit(a.charCodeAt(i))) return 1;
    if (j < b.length && isDigit(b.charCodeAt(j))) return -1;
    if (firstDiff) return firstDiff;
  }
  return 0;
}

/** Compares two Debian versions: negative, zero or positive like `dpkg --compare-versions`. */
export function compareVersions(a: string, b: string): number {
  if (a === b) return 0;
  const va = parseVersion(a);
  const vb = parseVersion(b);
  if (va.epoch !== vb.epoch) return va.epoch < vb.epoch ? -1 : 1;
  const u = compareParts(va.upstream, vb.upstream);
  if (u !== 0) return Math.sign(u);
  return Math.sign(compareParts(va.revision, vb.revision));
}

/** A version relation operator as written in Depends/Provides. */
export type Relation = '<<' | '<=' | '=' | '>=' | '>>';

/** True when `version` satisfies `op constraint` (e.g. '2.36' '>=' '2.34'). */
export function satisfies(version: string, op: Relation, constraint: string): boolean {
  const c = compareVersions(version, constraint);
  switch (op) {
    case '<<':
      return c < 0;
    case '<=':
      return c <= 0;
    case '=':
      return c === 0;
    case '>=':
      return c >= 0;
    case '>>':
      return c > 0;
  }
}
