/**
 * npm's .npmrc syntax: the `ini` format as npm reads it, plus `${VAR}` expansion in keys and values.
 *
 * Followed exactly where it matters for a registry and its credentials:
 * - blank lines and lines starting with `;` or `#` are comments;
 * - `key = value`; a key without `=` is `true`; `true`/`false`/`null` are those values;
 * - a quoted value (`"…"` JSON, `'…'` raw) is kept whole; an unquoted value ends at the first
 *   unescaped `;` or `#` (so `a=b # note` is `b`), and `\;`, `\#`, `\\` escape them;
 * - `key[] = v` lines collect into an array;
 * - `[section]` lines start a section; npm's config ignores sectioned keys, and so do we;
 * - `${NAME}` is replaced by the environment variable, left as written when it is unset, and
 *   `${NAME?}` becomes empty when it is unset; `\${NAME}` stays literal.
 */

export type IniValue = string | boolean | null | string[];

/** Parses .npmrc text into top-level keys (before `${VAR}` expansion). */
export function parseIni(text: string): Record<string, IniValue> {
  const out: Record<string, IniValue> = Object.create(null);
  let inSection = false;
  for (const line of text.split(/[\r\n]+/)) {
    if (/^\s*([;#]|$)/.test(line)) continue;
    const section = /^\[([^\]]*)\]\s*$/.exec(line);
    if (section) {
      inSection = true;
      continue;
    }
    if (inSection) continue;
    const eq = line.indexOf('=');
    const rawKey = unquote(eq === -1 ? line : line.slice(0, eq));
    if (rawKey === '') continue;
    const isArray = rawKey.length > 2 && rawKey.endsWith('[]');
    const key = isArray ? rawKey.slice(0, -2) : rawKey;
    if (key === '__proto__') continue;
    const raw: string | true = eq === -1 ? true : unquote(line.slice(eq + 1));
    const value: IniValue = raw === 'true' ? true : raw === 'false' ? false : raw === 'null' ? null : raw;
    if (isArray) {
      const prev = out[key];
      const list = Array.isArray(prev) ? prev : prev === undefined ? [] : [String(prev)];
      list.push(String(value));
      out[key] = list;
    } else out[key] = value;
  }
  return out;
}

function unquote(s: string): string {
  const v = s.trim();
  if (v.length >= 2 && ((v[0] === '"' && v.endsWith('"')) || (v[0] === "'" && v.endsWith("'")))) {
    const inner = v[0] === "'" ? v.slice(1, -1) : v;
    try {
      const parsed: unknown = JSON.parse(inner);
      return typeof parsed === 'string' ? parsed : inner;
    } catch {
      return inner;
    }
  }
  let out = '';
  let escaped = false;
  for (const c of v) {
    if (escaped) {
      out += c === '\\' || c === ';' || c === '#' ? c : `\\${c}`;
      escaped = false;
    } else if (c === ';' || c === '#') break;
    else if (c === '\\') escaped = true;
    else out += c;
  }
  if (escaped) out += '\\';
  return out.trim();
}

/** Expands `${NAME}` / `${NAME?}` from `env` the way npm does (odd backslashes escape). */
export function expandEnv(s: string, env: Record<string, string | undefined>): string {
  return s.replace(/(?<!\\)(\\*)\$\{([^${}?]+)(\?)?\}/g, (whole, esc: string, name: string, opt) => {
    if (esc.length % 2 === 1) return whole.slice((esc.length + 1) / 2);
    const value = env[name] ?? (opt ? '' : `\${${name}}`);
    return esc.slice(esc.length / 2) + value;
  });
}
