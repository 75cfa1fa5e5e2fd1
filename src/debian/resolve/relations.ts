/**
 * Package relationship fields (Debian Policy 7.1): `Depends: a (>= 1) | b:any, c`.
 * Binary packages carry no `[arch]` or `<profile>` restrictions, but they are skipped if present.
 */
import { DebianError } from '../errors.ts';
import type { Relation } from '../version.ts';

/** One alternative: a package name with an optional arch qualifier and version constraint. */
export interface PackageRelation {
  readonly name: string;
  /** 'any', 'native' or an architecture name; undefined when unqualified. */
  readonly arch?: string;
  readonly op?: Relation;
  readonly version?: string;
}

/** A dependency: alternatives, any one of which satisfies it. */
export type Dependency = readonly PackageRelation[];

const ALT =
  /^([a-z0-9][a-z0-9+.-]*)(?::([a-z0-9-]+))?\s*(?:\(\s*(<<|<=|>=|>>|=|<|>)\s*([^)\s<>=][^)\s]*)\s*\))?\s*(?:\[[^\]]*\]\s*)?(?:<[^>]*>\s*)*$/;

/** Parses one alternative. */
export function parseRelation(text: string, source = 'relation'): PackageRelation {
  const m = ALT.exec(text.trim());
  if (!m)
    throw new DebianError('DEBIAN_RELATION_INVALID', `${source}: cannot read ${JSON.stringify(text.trim())}`);
  let op = m[3] as string | undefined;
  // Obsolete `<` and `>` mean `<=` and `>=` (Policy 7.1).
  if (op === '<') op = '<=';
  if (op === '>') op = '>=';
  return {
    name: m[1] as string,
    ...(m[2] ? { arch: m[2] } : {}),
    ...(op ? { op: op as Relation, version: m[4] as string } : {}),
  };
}

/** Parses a Depends-style field into dependencies (comma-separated, `|` alternatives). */
export function parseDependencies(field: string | undefined, source = 'Depends'): Dependency[] {
  if (!field) return [];
  return field
    .split(',')
    .map((d) => d.trim())
    .filter(Boolean)
    .map((d) => d.split('|').map((a) => parseRelation(a, source)));
}

/** Renders a relation back to Debian syntax (for reports). */
export function formatRelation(r: PackageRelation): string {
  return `${r.name}${r.arch ? `:${r.arch}` : ''}${r.op ? ` (${r.op} ${r.version})` : ''}`;
}

/** Renders a dependency with its alternatives. */
export function formatDependency(d: Dependency): string {
  return d.map(formatRelation).join(' | ');
}
