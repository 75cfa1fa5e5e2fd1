/**
 * deb822 control syntax (Debian Policy 5.1): paragraphs separated by blank lines, `Field: value`
 * lines, continuation lines starting with a space or tab. Each paragraph keeps its raw text so
 * it can be written verbatim (status.d) — parsing never normalises what is kept.
 */
import { DebianError } from '../errors.ts';

/** One paragraph: its text exactly as in the file (no trailing newline) and its fields. */
export interface Stanza {
  readonly raw: string;
  /**
   * Field name as written → value: the first line trimmed, then each continuation line with
   * its leading space removed, joined by '\n' (so multi-line fields like SHA256 stay listable).
   */
  readonly fields: ReadonlyMap<string, string>;
}

/** Options for parsing. */
export interface Deb822Options {
  /** Skip lines starting with '#' (allowed in apt .sources files, not in Packages indexes). */
  readonly comments?: boolean;
  /** Names the input in error messages. */
  readonly source?: string;
}

/** Splits text into paragraphs and parses each; throws DEBIAN_INDEX_INVALID on malformed lines. */
export function parseDeb822(text: string, options: Deb822Options = {}): Stanza[] {
  const out: Stanza[] = [];
  for (const raw of paragraphs(text)) {
    const s = parseStanza(raw, options);
    if (s.fields.size > 0) out.push(s);
  }
  return out;
}

/** The raw paragraphs of a deb822 text (blank or whitespace-only lines separate them). */
export function* paragraphs(text: string): Generator<string> {
  const t = text.includes('\r') ? text.replace(/\r\n/g, '\n') : text;
  let start = 0;
  const n = t.length;
  while (start < n) {
    // Skip separator lines.
    while (start < n && t.charCodeAt(start) === 10) start++;
    if (start >= n) break;
    let end = t.indexOf('\n\n', start);
    if (end < 0) end = n;
    let para = t.slice(start, end);
    if (para.charCodeAt(para.length - 1) === 10) para = para.replace(/\n+$/, '');
    // Lines of only spaces/tabs also separate paragraphs (Policy 5.1).
    if (/\n[ \t]+(\n|$)/.test(para)) {
      for (const p of para.split(/\n[ \t]+(?:\n|$)/)) if (p.trim()) yield p;
    } else if (para.trim()) yield para;
    start = end;
  }
}

/** Parses one paragraph's fields. */
export function parseStanza(raw: string, options: Deb822Options = {}): Stanza {
  const fields = new Map<string, string>();
  let name: string | undefined;
  let value = '';
  const lines = raw.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const c = line.charCodeAt(0);
    if (options.comments && c === 35 /* # */) continue;
    if (c === 32 || c === 9) {
      if (name === undefined) throw invalid(options, i, 'continuation line before any field');
      value += `\n${line.slice(1)}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0)
      throw invalid(options, i, `not a "Field: value" line: ${JSON.stringify(line.slice(0, 80))}`);
    if (name !== undefined) fields.set(name, value);
    name = line.slice(0, colon);
    value = line.slice(colon + 1).trim();
  }
  if (name !== undefined) fields.set(name, value);
  return { raw, fields };
}

function invalid(options: Deb822Options, line: number, what: string): DebianError {
  return new DebianError(
    'DEBIAN_INDEX_INVALID',
    `${options.source ?? 'control data'}: paragraph line ${line + 1}: ${what}`,
  );
}
