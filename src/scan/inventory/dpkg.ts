/**
 * Debian packages, as syft and trivy find them: /var/lib/dpkg/status (a full system; removed
 * packages skipped) and /var/lib/dpkg/status.d/* (distroless: one control file per package, its
 * file list in `NAME.md5sums` or `NAME:ARCH.md5sums`). Licences come from the package's DEP-5
 * copyright file; the purl is syft's (`upstream=` for the source, `distro=` as purlDistro says).
 */
import type { PackageRecord } from '../types.ts';
import { type CatalogueContext, keptPaths, text } from './context.ts';
import { parseDeb822 } from './deb822.ts';
import { dep5Licenses } from './dep5.ts';
import { purlDistro } from './os-release.ts';
import { purl } from './purl.ts';

export const DPKG_STATUS = '/var/lib/dpkg/status';
export const STATUS_D = '/var/lib/dpkg/status.d';
const INFO = '/var/lib/dpkg/info';

/** Files the dpkg cataloguer reads. */
export function wantDpkg(path: string): boolean {
  return (
    path === DPKG_STATUS ||
    path.startsWith(`${STATUS_D}/`) ||
    (path.startsWith(`${INFO}/`) && path.endsWith('.md5sums')) ||
    /^\/usr\/share\/doc\/[^/]+\/copyright$/.test(path)
  );
}

/** Every installed Debian package the image records. */
export function dpkgPackages(ctx: CatalogueContext): PackageRecord[] {
  const out: PackageRecord[] = [];
  const status = text(ctx, DPKG_STATUS);
  if (status !== undefined) out.push(...fromText(ctx, DPKG_STATUS, status, INFO));
  for (const path of keptPaths(ctx, /^\/var\/lib\/dpkg\/status\.d\/[^/]+$/)) {
    if (path.endsWith('.md5sums')) continue;
    out.push(...fromText(ctx, path, text(ctx, path) ?? '', STATUS_D));
  }
  return out;
}

function fromText(ctx: CatalogueContext, path: string, body: string, md5Dir: string): PackageRecord[] {
  const { stanzas, badLines } = parseDeb822(body);
  if (badLines) ctx.warn(path, `${badLines} malformed line(s) skipped`);
  const out: PackageRecord[] = [];
  for (const s of stanzas) {
    const name = s.get('Package');
    const version = s.get('Version');
    if (!name || !version) {
      ctx.warn(path, `a record without Package or Version was skipped (${name ?? 'unnamed'})`);
      continue;
    }
    if (/deinstall|purge|not-installed|config-files/.test(s.get('Status') ?? '')) continue;
    out.push(record(ctx, path, s, name, version, md5Dir));
  }
  return out;
}

function record(
  ctx: CatalogueContext,
  location: string,
  s: Map<string, string>,
  name: string,
  version: string,
  md5Dir: string,
): PackageRecord {
  const arch = s.get('Architecture');
  const src = /^(\S+)(?:\s+\((.+)\))?$/.exec(s.get('Source')?.trim() ?? '');
  const source = src ? { name: src[1] as string, version: src[2] ?? version } : undefined;
  const upstream = src ? (src[2] ? `${src[1]}@${src[2]}` : src[1]) : undefined;
  const md5 = [`${md5Dir}/${name}:${arch}.md5sums`, `${md5Dir}/${name}.md5sums`]
    .map((p) => text(ctx, p))
    .find((t) => t !== undefined);
  const files = md5
    ?.split('\n')
    .map((l) => l.slice(l.indexOf('  ') + 2).trim())
    .filter(Boolean)
    .map((p) => `/${p}`);
  const copyright = text(ctx, `/usr/share/doc/${name}/copyright`);
  const maintainer = s.get('Maintainer');
  return {
    ecosystem: 'deb',
    name,
    version,
    ...(arch ? { arch } : {}),
    ...(source ? { source } : {}),
    licenses: copyright ? dep5Licenses(copyright) : [],
    purl: purl({
      type: 'deb',
      namespace: ctx.distro.id ?? 'debian',
      name,
      version,
      qualifiers: [
        ['arch', arch],
        ['upstream', upstream],
        ['distro', purlDistro(ctx)],
      ],
    }),
    locations: [location],
    ...(files ? { files } : {}),
    ...(maintainer ? { supplier: maintainer } : {}),
  };
}
