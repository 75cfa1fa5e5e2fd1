/**
 * Licence names as packages write them → SPDX identifiers. Debian's copyright files use short
 * names (`GPL-2+`, `Expat`, `BSD-3-clause`); SPDX wants `GPL-2.0-or-later`, `MIT`, `BSD-3-Clause`.
 * Names already in SPDX form pass through; a name we cannot place becomes `LicenseRef-<name>`,
 * which both SPDX and CycloneDX accept (never a made-up SPDX id).
 */

/** SPDX ids distill emits as such (so the CycloneDX writer can tell an `id` from a `name`). */
export const SPDX_IDS: ReadonlySet<string> = new Set(
  `0BSD AFL-2.1 AGPL-3.0-only AGPL-3.0-or-later Apache-1.1 Apache-2.0 Artistic-1.0 Artistic-1.0-Perl
  Artistic-2.0 BSD-1-Clause BSD-2-Clause BSD-3-Clause BSD-4-Clause BSL-1.0 bzip2-1.0.6 CC-BY-3.0 CC-BY-4.0
  CC-BY-SA-3.0 CC-BY-SA-4.0 CC0-1.0 CDDL-1.0 curl EPL-1.0 EPL-2.0 FSFAP FSFUL FSFULLR FTL GFDL-1.2-only
  GFDL-1.2-or-later GFDL-1.3-only GFDL-1.3-or-later GPL-1.0-only GPL-1.0-or-later GPL-2.0-only
  GPL-2.0-or-later GPL-3.0-only GPL-3.0-or-later ICU IJG ISC LGPL-2.0-only LGPL-2.0-or-later
  LGPL-2.1-only LGPL-2.1-or-later LGPL-3.0-only LGPL-3.0-or-later Libpng libtiff MIT MIT-0 MPL-1.1
  MPL-2.0 NCSA OpenSSL PSF-2.0 Python-2.0 Ruby Unicode-DFS-2016 Unicode-3.0 Unlicense W3C WTFPL X11
  Zlib ZPL-2.1 BlueOak-1.0.0 Beerware`.split(/\s+/),
);

/** Debian short names (lower-cased) that are not SPDX spellings. */
const ALIASES: Record<string, string> = {
  expat: 'MIT',
  'mit/x11': 'MIT',
  zlib: 'Zlib',
  'public-domain': 'LicenseRef-public-domain',
  'psf-2': 'PSF-2.0',
  artistic: 'Artistic-1.0-Perl',
  'artistic-1': 'Artistic-1.0',
  'artistic-2': 'Artistic-2.0',
  bsl: 'BSL-1.0',
  'bsl-1': 'BSL-1.0',
  'mpl-1.1': 'MPL-1.1',
  'mpl-2': 'MPL-2.0',
  'apache-2': 'Apache-2.0',
  cc0: 'CC0-1.0',
  'python-2': 'Python-2.0',
  unicode: 'Unicode-DFS-2016',
  permissive: 'LicenseRef-permissive',
};

const BY_LOWER = new Map([...SPDX_IDS].map((id) => [id.toLowerCase(), id]));

/** True for the identifiers this module emits as real SPDX ids. */
export const isSpdxId = (id: string): boolean => SPDX_IDS.has(id);

/** One licence name → an SPDX id or a LicenseRef. */
export function spdxId(name: string): string {
  const n = name.trim().replace(/^\(+|\)+$/g, '');
  if (!n) return 'NOASSERTION';
  const exact = BY_LOWER.get(n.toLowerCase());
  if (exact) return exact;
  const alias = ALIASES[n.toLowerCase()];
  if (alias) return alias;
  // GPL-2+, LGPL-2.1, AGPL-3+, GFDL-1.3+ (and GPLv2+ spellings).
  const gnu = /^(A?GPL|LGPL|GFDL)-?v?(\d)(?:\.(\d))?(\+|-only|-or-later)?$/i.exec(n);
  if (gnu) {
    const family = (gnu[1] as string).toUpperCase();
    const ver = `${gnu[2]}.${gnu[3] ?? '0'}`;
    const later = gnu[4] === '+' || gnu[4]?.toLowerCase() === '-or-later';
    const id = `${family}-${ver}-${later ? 'or-later' : 'only'}`;
    if (SPDX_IDS.has(id)) return id;
  }
  const bsd = /^BSD-(\d)-clause$/i.exec(n);
  if (bsd) return `BSD-${bsd[1]}-Clause`;
  return `LicenseRef-${
    n
      .replace(/\+/g, '-plus')
      .replace(/[^A-Za-z0-9.-]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'unknown'
  }`;
}

/**
 * The licence names in an expression (`GPL-2+ or Artistic`, `MIT AND (ISC OR 0BSD)`,
 * `GPL-2+ with OpenSSL exception`): each becomes an id; exceptions are dropped with their `with`.
 */
export function licenseIds(expression: string): string[] {
  const out: string[] = [];
  const cleaned = expression.replace(/\s+with\s+[^,()|&]+?(?=\s+(?:and|or)\s|[,()]|$)/gi, '');
  for (const part of cleaned.split(/\s+(?:and|or)\s+|[,()|&]|\s+\/\s+/i)) {
    const p = part.trim();
    if (p && !/^(and|or)$/i.test(p)) out.push(spdxId(p));
  }
  return [...new Set(out)];
}
