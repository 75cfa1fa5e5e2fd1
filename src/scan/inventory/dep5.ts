/**
 * Licences of a Debian package from /usr/share/doc/PKG/copyright, only when the file is
 * machine-readable (DEP-5: its first stanza has `Format: …copyright-format/1.0/`). The `License:`
 * short names of the Files stanzas are collected and mapped to SPDX ids. Free-text copyright
 * files say nothing we could state with confidence, so they give no licence (NOASSERTION later).
 */
import { parseDeb822 } from './deb822.ts';
import { licenseIds } from './licenses.ts';

const FORMAT = /copyright-format\/1\.0/;

/** SPDX ids (sorted, unique) of a DEP-5 copyright file, or [] when it is not DEP-5. */
export function dep5Licenses(text: string): string[] {
  const { stanzas } = parseDeb822(text);
  const head = stanzas[0];
  if (!head || !FORMAT.test(head.get('Format') ?? head.get('Format-Specification') ?? '')) return [];
  const ids = new Set<string>();
  for (const s of stanzas) {
    if (!s.has('Files')) continue;
    // The first line of License: is the short name (expression); the rest is the text.
    const first = (s.get('License') ?? '').split('\n')[0]?.trim();
    if (first) for (const id of licenseIds(first)) ids.add(id);
  }
  return [...ids].sort();
}
