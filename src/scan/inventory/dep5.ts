/**
 * Licences of a Debian package from /usr/share/doc/PKG/copyright, only when the file is
 * machine-readable (DEP-5: a header paragraph with `Format: …copyright-format/1.0/`). The `License:`
 * short names of the Files stanzas are collected and mapped to SPDX ids. Free-text copyright
 * files say nothing we could state with confidence, so they give no licence (NOASSERTION later).
 */
import { parseDeb822 } from './deb822.ts';
import { licenseIds } from './licenses.ts';

const FORMAT = /copyright-format\/1\.0/;

/** SPDX ids (sorted, unique) of a DEP-5 copyright file, or [] when it is not DEP-5. */
export function dep5Licenses(text: string): string[] {
  const { stanzas } = parseDeb822(text);
  // The header should be the first paragraph; some packages put free text before it (gstreamer),
  // which syft and trivy read past too.
  const isHeader = (s: Map<string, string>) =>
    FORMAT.test(s.get('Format') ?? s.get('Format-Specification') ?? '');
  if (!stanzas.some(isHeader)) return [];
  const ids = new Set<string>();
  for (const s of stanzas) {
    if (!s.has('Files')) continue;
    // The first line of License: is the short name (expression); the rest is the text.
    const first = (s.get('License') ?? '').split('\n')[0]?.trim();
    if (first) for (const id of licenseIds(first)) ids.add(id);
  }
  return [...ids].sort();
}
