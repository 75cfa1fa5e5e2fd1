/**
 * Package URLs exactly as syft prints them (it uses package-url/packageurl-go): namespace segments
 * query-escaped (`@types` → `%40types`), name and version path-escaped (Go's url.PathEscape keeps
 * `: @ + = & $`, so `1:2.3+dfsg` stays readable), qualifiers in the order given, empty ones dropped.
 * Written here rather than taken from packageurl-js because scanners match syft's exact bytes.
 */

const UNRESERVED = /[A-Za-z0-9\-_.~]/;
const PATH_OK = /[A-Za-z0-9\-_.~$&+:=@]/;

function escapeWith(s: string, ok: RegExp, spacePlus: boolean): string {
  let out = '';
  for (const ch of s) {
    if (ok.test(ch)) out += ch;
    else if (ch === ' ' && spacePlus) out += '+';
    else for (const b of Buffer.from(ch, 'utf8')) out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Go's url.PathEscape. */
export const pathEscape = (s: string): string => escapeWith(s, PATH_OK, false);
/** Go's url.QueryEscape. */
export const queryEscape = (s: string): string => escapeWith(s, UNRESERVED, true);

export interface PurlParts {
  type: string;
  namespace?: string;
  name: string;
  version?: string;
  /** In output order; entries with an empty value are left out. */
  qualifiers?: ReadonlyArray<readonly [string, string | undefined]>;
}

/** `pkg:TYPE/NAMESPACE/NAME@VERSION?k=v&…`. */
export function purl(p: PurlParts): string {
  let s = `pkg:${p.type}/`;
  if (p.namespace) s += `${p.namespace.split('/').map(queryEscape).join('/')}/`;
  s += pathEscape(p.name);
  if (p.version) s += `@${pathEscape(p.version)}`;
  const q = (p.qualifiers ?? []).filter(([, v]) => v !== undefined && v !== '');
  if (q.length) s += `?${q.map(([k, v]) => `${k}=${pathEscape(v as string)}`).join('&')}`;
  return s;
}
