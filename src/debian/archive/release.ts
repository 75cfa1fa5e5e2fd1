/**
 * The Release file (the signed text inside InRelease): suite identity, validity dates and the
 * SHA256 list that every index file is checked against.
 */
import { DebianError } from '../errors.ts';
import { parseDeb822 } from './deb822.ts';

/** One line of the Release SHA256 list. */
export interface ReleaseFile {
  readonly sha256: string;
  readonly size: number;
}

/** The parts of a Release file distill relies on. */
export interface Release {
  readonly suite: string;
  readonly codename: string;
  readonly date: Date | undefined;
  readonly validUntil: Date | undefined;
  readonly architectures: readonly string[];
  readonly components: readonly string[];
  /** True when the archive serves indexes under `by-hash/SHA256/<hex>` (Acquire-By-Hash: yes). */
  readonly acquireByHash: boolean;
  /** Path relative to `dists/<suite>/` → hash and size. */
  readonly sha256: ReadonlyMap<string, ReleaseFile>;
  /** Every field verbatim. */
  readonly fields: ReadonlyMap<string, string>;
}

/** Parses Release text; throws DEBIAN_RELEASE_INVALID when it is not one. */
export function parseRelease(text: string, source = 'Release'): Release {
  let fields: ReadonlyMap<string, string>;
  try {
    const stanzas = parseDeb822(text, { source });
    if (stanzas.length !== 1) throw new Error(`${stanzas.length} paragraphs where one was expected`);
    fields = (stanzas[0] as { fields: ReadonlyMap<string, string> }).fields;
  } catch (err) {
    throw new DebianError(
      'DEBIAN_RELEASE_INVALID',
      `${source} is not a Release file: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
  const sha256 = new Map<string, ReleaseFile>();
  for (const line of (fields.get('SHA256') ?? '').split('\n')) {
    const t = line.trim();
    if (!t) continue;
    const m = /^([0-9a-fA-F]{64})\s+([0-9]+)\s+(\S+)$/.exec(t);
    if (!m)
      throw new DebianError('DEBIAN_RELEASE_INVALID', `${source}: bad SHA256 line ${JSON.stringify(t)}`);
    sha256.set(m[3] as string, { sha256: (m[1] as string).toLowerCase(), size: Number(m[2]) });
  }
  if (sha256.size === 0) throw new DebianError('DEBIAN_RELEASE_INVALID', `${source} has no SHA256 list`);
  const date = (name: string) => {
    const v = fields.get(name);
    if (!v) return undefined;
    const d = new Date(v);
    if (Number.isNaN(d.getTime()))
      throw new DebianError('DEBIAN_RELEASE_INVALID', `${source}: bad ${name} ${JSON.stringify(v)}`);
    return d;
  };
  const words = (name: string) => (fields.get(name) ?? '').split(/\s+/).filter(Boolean);
  return {
    suite: fields.get('Suite') ?? '',
    codename: fields.get('Codename') ?? '',
    date: date('Date'),
    validUntil: date('Valid-Until'),
    architectures: words('Architectures'),
    components: words('Components'),
    acquireByHash: (fields.get('Acquire-By-Hash') ?? '').toLowerCase() === 'yes',
    sha256,
    fields,
  };
}

/**
 * Checks the Release is the suite asked for (a mirror must not swap one suite for another, e.g. an
 * old signed `stable` for `trixie`) and has not expired, as apt does.
 */
export function checkRelease(release: Release, suite: string, now: Date, source = suite): void {
  if (release.suite !== suite && release.codename !== suite)
    throw new DebianError(
      'DEBIAN_RELEASE_MISMATCH',
      `${source}: the signed Release is for suite ${JSON.stringify(release.suite)} / codename ${JSON.stringify(release.codename)}, not ${JSON.stringify(suite)}`,
    );
  if (release.validUntil && release.validUntil.getTime() < now.getTime())
    throw new DebianError(
      'DEBIAN_RELEASE_EXPIRED',
      `${source}: the signed Release expired on ${release.validUntil.toISOString()} (a stale or replayed mirror); try again later or use another mirror`,
    );
}
