/**
 * Vulnerabilities of an image's Debian packages, from Debian's security tracker JSON export: its
 * shape, parsing, matching by source package and Debian version order, and loading it from a
 * file or the tracker's URL with HTTP caching.
 */
export { VulnError, type VulnErrorCode } from './errors.ts';
export { loadVulnDb, VULN_DB_URL, type VulnDbSource } from './load.ts';
export { matchVulns, releaseOf, urgencySeverity } from './match.ts';
export { parseVulnDb } from './parse.ts';
export type * from './types.ts';
