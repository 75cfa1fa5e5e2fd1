/**
 * What a publish pushes, as data: the matrix of units (release × image × variant × arch, each a
 * single-platform image), the groups that become multi-arch indexes (release × image × variant),
 * the repositories and tags distroless uses for them, and which shard does what. Pure: every
 * shard computes the same matrix from the same flags, so no shard needs to ask another.
 */
import { catalogue, VARIANTS, type Variant } from '../catalogue/index.ts';
import { type DebianRelease, parseDebianRelease } from '../debian/index.ts';
import { parseReference } from '../registry/index.ts';
import { PublishError } from './errors.ts';

/** The architectures a publish builds (distill's catalogue builds these). */
export const PUBLISH_ARCHES = ['amd64', 'arm64'] as const;
export const PUBLISH_RELEASES: readonly DebianRelease[] = [13, 12];

export interface Selection {
  images?: readonly string[];
  /** Default [13]. */
  debian?: readonly (DebianRelease | string | number)[];
  arches?: readonly string[];
  variants?: readonly string[];
}

/** One single-platform image of the catalogue. */
export interface Unit {
  debian: DebianRelease;
  image: string;
  variant: Variant;
  arch: string;
}

/** One multi-arch index: the units of every selected arch, in `PUBLISH_ARCHES` order. */
export interface Group {
  debian: DebianRelease;
  image: string;
  variant: Variant;
  arches: string[];
}

export interface Matrix {
  units: Unit[];
  groups: Group[];
}

/** `N/M` (1-based): shard N of M. */
export interface Shard {
  index: number;
  count: number;
}

function pick<T extends string | number>(
  what: string,
  given: readonly (T | string | number)[] | undefined,
  all: readonly T[],
  norm: (x: string | number) => T = (x) => x as T,
): T[] {
  if (!given?.length) return [...all];
  const wanted = new Set<T>();
  for (const g of given) {
    let v: T;
    try {
      v = norm(g);
    } catch {
      v = g as T;
    }
    if (!all.includes(v))
      throw new PublishError(
        'PUBLISH_SELECTION_INVALID',
        `${what} ${JSON.stringify(g)} is not in the catalogue (it has: ${all.join(', ')})`,
      );
    wanted.add(v);
  }
  // Catalogue order, whatever order the flags gave: every shard gets the same matrix.
  return all.filter((x) => wanted.has(x));
}

/** The units and groups of a selection, in a fixed order (release, image, variant, arch). */
export function publishMatrix(s: Selection = {}): Matrix {
  // Debian 13 unless asked: the catalogue's default release.
  const releases = s.debian?.length
    ? pick('Debian release', s.debian, PUBLISH_RELEASES, (x) => parseDebianRelease(x))
    : [13 as const];
  const arches = pick('architecture', s.arches, PUBLISH_ARCHES);
  const variants = pick('variant', s.variants, VARIANTS);
  const known = new Set(releases.flatMap((d) => catalogue(d).map((c) => c.name)));
  for (const i of s.images ?? [])
    if (!known.has(i))
      throw new PublishError(
        'PUBLISH_SELECTION_INVALID',
        `image ${JSON.stringify(i)} is not in the catalogue of debian ${releases.join(', ')} (it has: ${[...known].join(', ')})`,
      );
  const units: Unit[] = [];
  const groups: Group[] = [];
  for (const debian of releases) {
    for (const spec of catalogue(debian)) {
      if (s.images?.length && !s.images.includes(spec.name)) continue;
      for (const variant of variants) {
        groups.push({ debian, image: spec.name, variant, arches: [...arches] });
        for (const arch of arches) units.push({ debian, image: spec.name, variant, arch });
      }
    }
  }
  if (!units.length) throw new PublishError('PUBLISH_SELECTION_INVALID', 'the selection names no image');
  return { units, groups };
}

/** Parses `N/M`. */
export function parseShard(s: string): Shard {
  const m = /^(\d{1,4})\/(\d{1,4})$/.exec(s.trim());
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || index < 1 || count < 1 || index > count)
    throw new PublishError(
      'PUBLISH_SHARD_INVALID',
      `--shard takes N/M with 1 ≤ N ≤ M (shard N of M machines), got ${JSON.stringify(s)}`,
    );
  return { index, count };
}

/** Round robin over the fixed order: shard N takes items N-1, N-1+M, … */
export function shardOf<T>(items: readonly T[], shard: Shard = { index: 1, count: 1 }): T[] {
  return items.filter((_, i) => i % shard.count === shard.index - 1);
}

/** `HOST[/PREFIX]` checked: a registry host first (a dot, a port or localhost), then path parts. */
export function parseTarget(s: string): { registry: string; prefix: string } {
  const t = s.replace(/^docker:\/\//, '').replace(/\/+$/, '');
  const [host = '', ...path] = t.split('/');
  const bad = (why: string) =>
    new PublishError(
      'PUBLISH_REGISTRY_INVALID',
      `--registry takes HOST[/PREFIX] (e.g. registry.example/distroless): ${JSON.stringify(s)} ${why}`,
    );
  if (!/[.:]/.test(host) && host !== 'localhost') throw bad('does not start with a registry host');
  let r: ReturnType<typeof parseReference>;
  try {
    r = parseReference(`${t}/probe:x`);
  } catch (e) {
    throw Object.assign(bad('is not a valid repository prefix'), { cause: e });
  }
  if (r.registry !== host) throw bad('does not start with a registry host');
  return { registry: host, prefix: path.join('/') };
}

/** The repositories a unit or group goes to: `PREFIX/NAME-debianN`, and for debian 13 the unsuffixed `PREFIX/NAME` too (distroless's aliases). */
export function repositoriesOf(
  target: { registry: string; prefix: string },
  g: { image: string; debian: DebianRelease },
  aliases = true,
): string[] {
  const base = `${target.registry}/${target.prefix ? `${target.prefix}/` : ''}`;
  const repos = [`${base}${g.image}-debian${g.debian}`];
  if (aliases && g.debian === 13) repos.push(`${base}${g.image}`);
  return repos;
}

/** A unit's tags: `VARIANT-ARCH` and, with a stamp, `VARIANT-ARCH-STAMP`. */
export function unitTags(u: Unit, stamp?: string): string[] {
  return [`${u.variant}-${u.arch}`, ...(stamp ? [`${u.variant}-${u.arch}-${stamp}`] : [])];
}

/** A group's index tags: `VARIANT` and, with a stamp, `VARIANT-STAMP`. */
export function groupTags(g: Group, stamp?: string): string[] {
  return [g.variant, ...(stamp ? [`${g.variant}-${stamp}`] : [])];
}

/** Checks a stamp (a date, a lock digest, a CI run number) can end a tag. */
export function checkStamp(stamp: string): string {
  if (!/^[A-Za-z0-9_][A-Za-z0-9._-]{0,63}$/.test(stamp))
    throw new PublishError(
      'PUBLISH_STAMP_INVALID',
      `--stamp ${JSON.stringify(stamp)} cannot end a tag: use letters, digits, '.', '_' and '-' (at most 64)`,
    );
  return stamp;
}

export const unitKey = (u: Unit) => `${u.debian}/${u.image}/${u.variant}/${u.arch}`;
