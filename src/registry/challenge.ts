/** WWW-Authenticate parsing (RFC 7235): `Bearer realm="...",service="...",scope="..."` or `Basic realm=...`. */

export interface Challenge {
  /** Lower-cased scheme: `bearer`, `basic`. */
  scheme: string;
  /** Parameters with lower-cased names. */
  params: Record<string, string>;
}

/** Parses every challenge in a header value; unknown syntax yields what could be read. */
export function parseChallenges(header: string | null | undefined): Challenge[] {
  const out: Challenge[] = [];
  if (!header) return out;
  let i = 0;
  const s = header;
  const skipWs = () => {
    while (i < s.length && /[\s,]/.test(s[i] as string)) i++;
  };
  while (i < s.length) {
    skipWs();
    const m = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+/.exec(s.slice(i));
    if (!m) break;
    const scheme = m[0].toLowerCase();
    i += m[0].length;
    const params: Record<string, string> = {};
    for (;;) {
      while (i < s.length && /[\s]/.test(s[i] as string)) i++;
      if (s[i] === ',') i++;
      while (i < s.length && /[\s]/.test(s[i] as string)) i++;
      const pm = /^([A-Za-z0-9!#$%&'*+.^_`|~-]+)\s*=\s*/.exec(s.slice(i));
      if (!pm) break;
      i += pm[0].length;
      let value = '';
      if (s[i] === '"') {
        i++;
        while (i < s.length && s[i] !== '"') {
          if (s[i] === '\\' && i + 1 < s.length) i++;
          value += s[i];
          i++;
        }
        i++;
      } else {
        const vm = /^[^,\s]*/.exec(s.slice(i));
        value = vm ? vm[0] : '';
        i += value.length;
      }
      params[(pm[1] as string).toLowerCase()] = value;
    }
    out.push({ scheme, params });
  }
  return out;
}

/** The challenge to answer: bearer preferred over basic, other schemes ignored. */
export function pickChallenge(header: string | null | undefined): Challenge | undefined {
  const cs = parseChallenges(header);
  return cs.find((c) => c.scheme === 'bearer') ?? cs.find((c) => c.scheme === 'basic');
}
