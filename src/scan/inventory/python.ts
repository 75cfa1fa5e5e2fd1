/**
 * Python distributions from `*.dist-info/METADATA` anywhere (site-packages, dist-packages, venvs):
 * Name and Version, the licence from License-Expression (PEP 639) else a one-line License, the
 * files from RECORD (CSV, paths relative to the directory holding the dist-info).
 * purl: `pkg:pypi/NAME@VERSION` with the name normalised as PEP 503 says and syft writes it
 * (`Flask_Login` → `flask-login`).
 */
import { posix } from 'node:path';
import type { PackageRecord } from '../types.ts';
import { type CatalogueContext, keptPaths, text } from './context.ts';
import { parseDeb822 } from './deb822.ts';
import { licenseIds } from './licenses.ts';
import { purl } from './purl.ts';

const METADATA = /\.dist-info\/METADATA$/;

/** Files the Python cataloguer reads. */
export const wantPython = (path: string): boolean => /\.dist-info\/(METADATA|RECORD)$/.test(path);

function recordFiles(body: string, siteDir: string): string[] {
  const out: string[] = [];
  for (const line of body.split(/\r?\n/)) {
    if (!line) continue;
    // The path is the first CSV field; it is quoted when it holds a comma.
    const m = /^"((?:[^"]|"")*)"|^([^,]*)/.exec(line);
    const rel = m?.[1]?.replace(/""/g, '"') ?? m?.[2];
    if (rel) out.push(posix.normalize(posix.join(siteDir, rel)));
  }
  return out;
}

/** Every installed Python distribution. */
export function pythonPackages(ctx: CatalogueContext): PackageRecord[] {
  const out: PackageRecord[] = [];
  for (const path of keptPaths(ctx, METADATA)) {
    const body = text(ctx, path) ?? '';
    // Headers end at the first blank line; the long description follows.
    const head = body.split(/\r?\n\r?\n/, 1)[0] ?? '';
    const fields = parseDeb822(head).stanzas[0] ?? new Map<string, string>();
    const name = fields
      .get('Name')
      ?.replace(/[-_.]+/g, '-')
      .toLowerCase();
    const version = fields.get('Version');
    if (!name || !version) {
      ctx.warn(path, 'METADATA without Name and Version; skipped');
      continue;
    }
    const expr = fields.get('License-Expression');
    const lic = fields.get('License');
    const licenses = expr
      ? licenseIds(expr)
      : lic && !lic.includes('\n') && lic.length < 80 && !/^unknown$/i.test(lic)
        ? licenseIds(lic)
        : [];
    const distInfo = posix.dirname(path);
    const record = text(ctx, `${distInfo}/RECORD`);
    const author = fields.get('Author') ?? fields.get('Author-email');
    out.push({
      ecosystem: 'pypi',
      name,
      version,
      licenses,
      purl: purl({ type: 'pypi', name, version }),
      locations: [path],
      ...(record !== undefined ? { files: recordFiles(record, posix.dirname(distInfo)) } : {}),
      ...(author ? { supplier: author } : {}),
    });
  }
  return out;
}
