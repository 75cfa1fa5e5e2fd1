/**
 * Alpine packages from /lib/apk/db/installed: records separated by blank lines, one `X:value`
 * per line (P name, V version, A arch, o origin, L licence, m maintainer, F dir + R file lines).
 * purl as syft writes it: `pkg:apk/alpine/NAME@VER?arch=…&distro=alpine-3.x&upstream=ORIGIN`.
 */
import type { PackageRecord } from '../types.ts';
import { type CatalogueContext, text } from './context.ts';
import { licenseIds } from './licenses.ts';
import { purlDistro } from './os-release.ts';
import { purl } from './purl.ts';

export const APK_DB = '/lib/apk/db/installed';

/** Every package the apk database lists. */
export function apkPackages(ctx: CatalogueContext): PackageRecord[] {
  const body = text(ctx, APK_DB);
  if (body === undefined) return [];
  const out: PackageRecord[] = [];
  for (const block of body.split(/\r?\n\s*\r?\n/)) {
    const f = new Map<string, string>();
    const files: string[] = [];
    let dir = '';
    for (const line of block.split(/\r?\n/)) {
      if (line.length < 2 || line[1] !== ':') continue;
      const k = line[0] as string;
      const v = line.slice(2);
      if (k === 'F') dir = v;
      else if (k === 'R') files.push(`/${dir ? `${dir}/` : ''}${v}`);
      else if (!f.has(k)) f.set(k, v);
    }
    if (!f.size) continue;
    const name = f.get('P');
    const version = f.get('V');
    if (!name || !version) {
      ctx.warn(APK_DB, `a record without P: or V: was skipped (${name ?? 'unnamed'})`);
      continue;
    }
    const arch = f.get('A');
    const origin = f.get('o');
    const license = f.get('L');
    const maintainer = f.get('m');
    out.push({
      ecosystem: 'apk',
      name,
      version,
      ...(arch ? { arch } : {}),
      ...(origin && origin !== name ? { source: { name: origin, version } } : {}),
      licenses: license ? licenseIds(license) : [],
      purl: purl({
        type: 'apk',
        namespace: ctx.distro.id ?? 'alpine',
        name,
        version,
        qualifiers: [
          ['arch', arch],
          ['upstream', origin && origin !== name ? origin : undefined],
          ['distro', purlDistro(ctx)],
        ],
      }),
      locations: [APK_DB],
      ...(files.length ? { files } : {}),
      ...(maintainer ? { supplier: maintainer } : {}),
    });
  }
  return out;
}
