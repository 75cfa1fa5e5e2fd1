/**
 * Node packages installed in any node_modules: the package.json right under
 * `node_modules/NAME/` or `node_modules/@SCOPE/NAME/` (deeper package.json files are test
 * fixtures or examples, not installed packages). Garbage JSON or a record without name and
 * version is skipped with a warning. purl: `pkg:npm/%40scope/name@version`.
 */
import type { PackageRecord } from '../types.ts';
import { type CatalogueContext, keptPaths, text } from './context.ts';
import { licenseIds } from './licenses.ts';
import { purl } from './purl.ts';

const PKG_JSON = /\/node_modules\/(?:@[^/]+\/)?[^/@.][^/]*\/package\.json$/;

/** Files the npm cataloguer reads. */
export const wantNpm = (path: string): boolean => PKG_JSON.test(path);

/** The licence of a package.json: a string expression, or the old `{type}` / `licenses: []` forms. */
function licensesOf(j: Record<string, unknown>): string[] {
  const l = j.license ?? j.licenses;
  const names = (Array.isArray(l) ? l : [l])
    .map((x) => (typeof x === 'string' ? x : (x as { type?: unknown } | null)?.type))
    .filter((x): x is string => typeof x === 'string' && x.trim() !== '');
  return [...new Set(names.flatMap(licenseIds))];
}

function authorOf(a: unknown): string | undefined {
  if (typeof a === 'string') return a || undefined;
  const name = (a as { name?: unknown } | null)?.name;
  return typeof name === 'string' && name ? name : undefined;
}

/** Every installed npm package. */
export function npmPackages(ctx: CatalogueContext): PackageRecord[] {
  const out: PackageRecord[] = [];
  for (const path of keptPaths(ctx, PKG_JSON)) {
    let j: Record<string, unknown>;
    try {
      j = JSON.parse(text(ctx, path) ?? '') as Record<string, unknown>;
      if (!j || typeof j !== 'object' || Array.isArray(j)) throw new Error('not an object');
    } catch (err) {
      ctx.warn(path, `not a readable package.json (${(err as Error).message}); skipped`);
      continue;
    }
    const { name, version } = j;
    if (typeof name !== 'string' || !name || typeof version !== 'string' || !version) {
      ctx.warn(path, 'package.json without name and version; skipped');
      continue;
    }
    const scoped = name.startsWith('@') && name.includes('/');
    const supplier = authorOf(j.author);
    out.push({
      ecosystem: 'npm',
      name,
      version,
      licenses: licensesOf(j),
      purl: purl({
        type: 'npm',
        ...(scoped ? { namespace: name.slice(0, name.indexOf('/')) } : {}),
        name: scoped ? name.slice(name.indexOf('/') + 1) : name,
        version,
      }),
      locations: [path],
      ...(supplier ? { supplier } : {}),
    });
  }
  return out;
}
