/**
 * The distro, as syft identifies it: /etc/os-release, else /usr/lib/os-release (shell-style
 * `KEY=value`, values optionally quoted). Nothing found → an empty Distro, never a guess.
 */
import type { Distro } from '../types.ts';
import type { CatalogueContext } from './context.ts';
import { text } from './context.ts';

export const OS_RELEASE = ['/etc/os-release', '/usr/lib/os-release'] as const;

/** KEY=value pairs of an os-release file. */
export function parseOsRelease(body: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of body.split(/\r?\n/)) {
    const m = /^\s*([A-Z0-9_]+)=(.*)$/.exec(line);
    if (!m) continue;
    let v = (m[2] as string).trim();
    if (/^(["']).*\1$/.test(v)) v = v.slice(1, -1).replace(/\\(["'$`\\])/g, '$1');
    out.set(m[1] as string, v);
  }
  return out;
}

/** The image's distro from the first os-release file it holds. */
export function distroOf(ctx: Pick<CatalogueContext, 'files'>): Distro {
  for (const path of OS_RELEASE) {
    const body = text(ctx as CatalogueContext, path);
    if (body === undefined) continue;
    const kv = parseOsRelease(body);
    const id = kv.get('ID');
    const versionId = kv.get('VERSION_ID');
    const prettyName = kv.get('PRETTY_NAME');
    const versionCodename = kv.get('VERSION_CODENAME');
    return {
      ...(id ? { id } : {}),
      ...(versionId ? { versionId } : {}),
      ...(versionCodename ? { versionCodename } : {}),
      ...(prettyName ? { prettyName } : {}),
    };
  }
  return {};
}

export const DEBIAN_VERSION = '/etc/debian_version';

/**
 * The purls' `distro=` qualifier as syft writes it: ID-VERSION_ID, except that for Debian the point
 * release in /etc/debian_version (`13.8`) replaces VERSION_ID when it looks like one
 * (syft/linux/supplement_release.go). undefined without an ID and a version.
 */
export function purlDistro(ctx: Pick<CatalogueContext, 'files' | 'distro'>): string | undefined {
  const { id, versionId } = ctx.distro;
  if (!id) return undefined;
  const point =
    id.toLowerCase() === 'debian' ? text(ctx as CatalogueContext, DEBIAN_VERSION)?.trim() : undefined;
  const version = point && /^\d+(?:\.\d+)?$/.test(point) ? point : versionId;
  return version ? `${id}-${version}` : undefined;
}
