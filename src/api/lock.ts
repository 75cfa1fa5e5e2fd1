/**
 * `lock`: resolve Debian packages per architecture against the signed archive and return (and
 * optionally write) the lockfile `distill lock` writes: exact versions, URLs and sha256.
 */

import type { ReleaseResolution } from '../debian/index.ts';
import { parseDebianRelease, resolveFromRelease } from '../debian/index.ts';
import type { LockFile, LockInputs } from '../lock/index.ts';
import { lockChanged, makeLock, readLock, writeLock } from '../lock/index.ts';
import { type DebianSource, type Effects, openArchive, openEffectsCache, resolveEffects } from './effects.ts';

export type { LockFile, LockInputs };

export interface LockOptions extends Effects, DebianSource {
  /** Debian release: 13 (the default) or 12. */
  debian?: 12 | 13 | string;
  /** Default `['amd64', 'arm64']`. */
  arches?: readonly string[];
  /** Also leave these packages out. */
  exclude?: readonly string[];
  /** Keep these default-excluded packages (e.g. `debconf`). */
  keep?: readonly string[];
  /** Write the lock here too (atomically). */
  output?: string;
}

/**
 * Resolves `packages` with their dependencies for each architecture.
 * @example
 *   const l = await lock(['libc6', 'libssl3t64'], { arches: ['amd64'], output: 'distill.lock' });
 *   l.architectures.amd64?.packages.length
 */
export async function lock(packages: readonly string[], o: LockOptions = {}): Promise<LockFile> {
  const inputs: LockInputs = {
    debian: parseDebianRelease(o.debian ?? 13),
    architectures: [...(o.arches ?? ['amd64', 'arm64'])],
    packages: [...packages],
    ...(o.exclude?.length ? { exclude: [...o.exclude] } : {}),
    ...(o.keep?.length ? { keep: [...o.keep] } : {}),
  };
  const l = await resolveLock(inputs, o);
  if (!o.output) return l;
  // A lock whose packages did not move stays as it is, though the indexes were re-signed since.
  const previous = await readLock(o.output).catch(() => undefined);
  if (previous && !lockChanged(previous, l)) return previous;
  await writeLock(o.output, l);
  return l;
}

/**
 * The lock for exact inputs (what `distill lock` and `lock` share): the signed archive is read
 * once, then each architecture resolved.
 * @example
 *   const l = await resolveLock({ debian: 13, architectures: ['amd64'], packages: ['libc6'] });
 */
export async function resolveLock(inputs: LockInputs, o: Effects & DebianSource = {}): Promise<LockFile> {
  const fx = resolveEffects(o);
  const ctx = await openArchive(o, fx, await openEffectsCache(fx), inputs.debian);
  const resolutions: Record<string, ReleaseResolution> = {};
  // One architecture at a time: each holds a whole release's indexes in memory.
  for (const arch of inputs.architectures)
    resolutions[arch] = await resolveFromRelease(ctx.spec, inputs.packages, {
      arch,
      archive: ctx.archive,
      ...(inputs.exclude ? { exclude: inputs.exclude } : {}),
      ...(inputs.keep ? { keep: inputs.keep } : {}),
    });
  // Every architecture's verification: the lock records each suite's InRelease digest once.
  const verified = Object.values(resolutions).flatMap((r) => r.verified);
  return makeLock(inputs, ctx.spec, resolutions, verified);
}
