/**
 * RFC 822-style control stanzas as dpkg writes them (status, status.d, apk's db is different):
 * `Key: value`, continuation lines starting with a space or tab, stanzas separated by blank lines.
 * Tolerant by design: a line that is neither a field nor a continuation is skipped and counted,
 * so a damaged file yields what can be read plus a warning from the caller.
 */

export interface Deb822Result {
  stanzas: Map<string, string>[];
  /** Lines that were neither fields nor continuations. */
  badLines: number;
}

/** Parses every stanza; field names keep their case, values are trimmed (continuations joined by \n). */
export function parseDeb822(text: string): Deb822Result {
  const stanzas: Map<string, string>[] = [];
  let cur = new Map<string, string>();
  let last: string | undefined;
  let badLines = 0;
  for (const line of text.replace(/\r\n?/g, '\n').split('\n')) {
    if (line.trim() === '') {
      if (cur.size) stanzas.push(cur);
      cur = new Map();
      last = undefined;
      continue;
    }
    if (line.startsWith('#')) continue;
    if ((line[0] === ' ' || line[0] === '\t') && last) {
      cur.set(last, `${cur.get(last)}\n${line.trim()}`);
      continue;
    }
    const i = line.indexOf(':');
    if (i <= 0 || /\s/.test(line.slice(0, i))) {
      badLines++;
      continue;
    }
    last = line.slice(0, i);
    cur.set(last, line.slice(i + 1).trim());
  }
  if (cur.size) stanzas.push(cur);
  return { stanzas, badLines };
}
