/**
 * Package URLs byte for byte as syft prints them. syft builds them with anchore/packageurl-go
 * v0.2.0, whose ToString escapes every namespace segment, the name, the version and each
 * qualifier key and value with Go's url.QueryEscape (space as %20, not +) — so `+`, `:` and `@`
 * become %2B, %3A and %40 — and writes the qualifiers sorted by key, empty ones dropped:
 * `pkg:deb/debian/zlib1g@1%3A1.3.dfsg-3?arch=amd64&distro=debian-13&upstream=zlib`.
 * Written here rather than taken from packageurl-js because scanners match syft's exact bytes.
 */

const UNRESERVED = /^[A-Za-z0-9\-_.~]$/;

/** Go's url.QueryEscape, with a space as %20 (anchore/packageurl-go's `escape`). */
export function purlEscape(s: string): string {
  let out = '';
  for (const ch of s) {
    if (UNRESERVED.test(ch)) out += ch;
    else for (const b of Buffer.from(ch, 'utf8')) out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

export interface PurlParts {
  type: string;
  namespace?: string;
  name: string;
  version?: string;
  /** Written sorted by key; entries with an empty value are left out. */
  qualifiers?: ReadonlyArray<readonly [string, string | undefined]>;
}

/** `pkg:TYPE/NAMESPACE/NAME@VERSION?k=v&…`. */
export function purl(p: PurlParts): string {
  let s = `pkg:${p.type}/`;
  const ns = (p.namespace ?? '').split('/').filter(Boolean);
  if (ns.length) s += `${ns.map(purlEscape).join('/')}/`;
  s += purlEscape(p.name);
  if (p.version) s += `@${purlEscape(p.version)}`;
  const q = (p.qualifiers ?? [])
    .filter((x): x is readonly [string, string] => x[1] !== undefined && x[1] !== '')
    .slice()
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (q.length) s += `?${q.map(([k, v]) => `${purlEscape(k)}=${purlEscape(v)}`).join('&')}`;
  return s;
}
