/**
 * apt source lists: the one-line format (`deb [opts] URI SUITE [COMPONENT...]` in sources.list
 * and *.list) and the deb822 format (*.sources). Parsing is pure; reading the files is in mirror.ts.
 */
import { DebianError } from '../errors.ts';
import { parseDeb822 } from './deb822.ts';

/** One apt source entry, in either format. */
export interface AptSource {
  readonly types: readonly string[];
  readonly uris: readonly string[];
  readonly suites: readonly string[];
  readonly components: readonly string[];
  /** The file it came from. */
  readonly file: string;
}

/** Parses one-line-style entries (sources.list, *.list). */
export function parseOneLineSources(text: string, file: string): AptSource[] {
  const out: AptSource[] = [];
  for (const rawLine of text.split('\n')) {
    const line = rawLine.replace(/#.*$/, '').trim();
    if (!line) continue;
    // Options in brackets may contain spaces: `deb [ arch=amd64 signed-by=/x ] URI suite comp`.
    const m = /^(deb|deb-src)\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)(.*)$/.exec(line);
    if (!m)
      throw new DebianError(
        'DEBIAN_SOURCES_INVALID',
        `${file}: cannot read apt source line ${JSON.stringify(line)}`,
      );
    out.push({
      types: [m[1] as string],
      uris: [m[2] as string],
      suites: [m[3] as string],
      components: (m[4] as string).split(/\s+/).filter(Boolean),
      file,
    });
  }
  return out;
}

/** Parses deb822-style entries (*.sources); `Enabled: no` entries are skipped. */
export function parseDeb822Sources(text: string, file: string): AptSource[] {
  let stanzas: ReturnType<typeof parseDeb822>;
  try {
    stanzas = parseDeb822(text, { comments: true, source: file });
  } catch (err) {
    throw new DebianError('DEBIAN_SOURCES_INVALID', (err as Error).message, { cause: err });
  }
  const words = (f: ReadonlyMap<string, string>, name: string) => {
    for (const [k, v] of f) if (k.toLowerCase() === name.toLowerCase()) return v.split(/\s+/).filter(Boolean);
    return [];
  };
  return stanzas
    .filter((s) => (words(s.fields, 'Enabled')[0] ?? 'yes').toLowerCase() !== 'no')
    .map((s) => ({
      types: words(s.fields, 'Types'),
      uris: words(s.fields, 'URIs'),
      suites: words(s.fields, 'Suites'),
      components: words(s.fields, 'Components'),
      file,
    }));
}
