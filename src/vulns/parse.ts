/** Reading the tracker's JSON: parsed once, its shape checked enough that matching cannot misread it. */

import { VulnError } from './errors.ts';
import type { VulnDb } from './types.ts';

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parses and checks the export; `what` names its origin in errors (a file, a URL). */
export function parseVulnDb(body: string | Buffer, what: string): VulnDb {
  let j: unknown;
  try {
    j = JSON.parse(body.toString());
  } catch (err) {
    throw new VulnError('VULN_DB_INVALID', `${what} is not JSON: ${(err as Error).message}`, { cause: err });
  }
  const bad = (why: string) =>
    new VulnError(
      'VULN_DB_INVALID',
      `${what} is not Debian security tracker data (${why}); give the JSON of https://security-tracker.debian.org/tracker/data/json`,
    );
  if (!isObject(j)) throw bad('not an object of source packages');
  let checked = 0;
  for (const [pkg, issues] of Object.entries(j)) {
    if (!isObject(issues)) throw bad(`${pkg} is not an object of issues`);
    for (const [id, issue] of Object.entries(issues)) {
      if (!isObject(issue) || !isObject(issue.releases)) throw bad(`${pkg} ${id} has no releases object`);
      for (const [rel, r] of Object.entries(issue.releases))
        if (!isObject(r) || typeof r.status !== 'string') throw bad(`${pkg} ${id} ${rel} has no status`);
      checked++;
    }
  }
  if (checked === 0 && Object.keys(j).length > 0) throw bad('no issues in it');
  return j as VulnDb;
}
