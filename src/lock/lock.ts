/**
 * Making, writing, reading and checking distill.lock. Written with a fixed key order and
 * sorted lists so the same resolution always gives the same bytes.
 */
import { createHash } from 'node:crypto';
import { readFile, rename, unlink, writeFile } from 'node:fs/promises';
import type { ReleaseSpec, Resolution, ResolvedPackage, VerifiedSuite } from '../debian/index.ts';
import { canonicalJson } from '../oci/index.ts';
import { LockError } from './errors.ts';
import { lockedReleases, releasesProblem } from './releases.ts';
import type { LockedPackage, LockFile, LockInputs } from './types.ts';

const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The inputs in a normal form: lists sorted and de-duplicated, empty lists dropped. */
export function normaliseInputs(inputs: LockInputs): LockInputs {
  const list = (v: readonly string[] | undefined) => [...new Set(v ?? [])].sort(byString);
  return {
    debian: inputs.debian,
    architectures: list(inputs.architectures),
    packages: list(inputs.packages),
    ...(inputs.exclude?.length ? { exclude: list(inputs.exclude) } : {}),
    ...(inputs.keep?.length ? { keep: list(inputs.keep) } : {}),
  };
}

/** `sha256:<hex>` of the normalised inputs' canonical JSON. */
export function configChecksum(inputs: LockInputs): string {
  return `sha256:${createHash('sha256')
    .update(canonicalJson(normaliseInputs(inputs)))
    .digest('hex')}`;
}

/**
 * Builds a lock from per-architecture resolutions and the suites they were resolved against
 * (every verification of every architecture; the lock keeps one entry per suite).
 */
export function makeLock(
  inputs: LockInputs,
  spec: ReleaseSpec,
  resolutions: Readonly<Record<string, Resolution>>,
  verified?: readonly VerifiedSuite[],
): LockFile {
  const norm = normaliseInputs(inputs);
  const security = spec.sources.find((s) => s.suites.some((x) => x.endsWith('-security')))?.mirror;
  const architectures: Record<string, LockFile['architectures'][string]> = {};
  for (const arch of norm.architectures) {
    const r = resolutions[arch];
    if (!r) throw new LockError('LOCK_ARCH_MISSING', `no resolution for ${arch}`);
    architectures[arch] = {
      packages: [...r.packages].sort((a, b) => byString(a.name, b.name)).map((p) => locked(p, security)),
      excluded: r.excluded.map((x) => ({
        name: x.name,
        reason: x.reason,
        neededBy: [...new Set(x.neededBy.map((n) => n.package))].sort(byString),
      })),
    };
  }
  return {
    lockVersion: 1,
    configChecksum: configChecksum(norm),
    inputs: norm,
    debian: spec.debian,
    codename: spec.codename,
    ...(verified ? { releases: lockedReleases(verified, security) } : {}),
    architectures,
  };
}

/**
 * Whether `next` (just resolved) pins something `previous` does not — a package or base lock; as
 * `appLockChanged` decides for apps: other inputs or packages are a change, and so are InRelease digests where `previous`
 * records none; indexes re-signed since that resolve to exactly the same files are not (the
 * previous lock stays, and its InRelease files still vouch for the same files).
 */
export function lockChanged<L extends { readonly releases?: unknown }>(previous: L, next: L): boolean {
  const pinned = ({ releases: _, ...rest }: L) => rest;
  if (canonicalJson(pinned(previous)) !== canonicalJson(pinned(next))) return true;
  return Boolean(next.releases && !previous.releases);
}

/** One resolved package as the lock records it (the archive named, not its host). */
export function locked(p: ResolvedPackage, securityMirror: string | undefined): LockedPackage {
  // Fixed key order: this is the order the file shows.
  return {
    name: p.name,
    version: p.version,
    architecture: p.architecture,
    sha256: p.sha256,
    filename: p.filename,
    size: p.size,
    suite: p.suite,
    component: p.component,
    archive: p.mirror === securityMirror || p.suite.endsWith('-security') ? 'security' : 'main',
    why: [...p.reason],
  };
}

/** The lock's bytes: two-space JSON in the fixed key order, newline-terminated. */
/** Any lock (packages, base image, app) as the file shows it. */
export function serialiseLock(lock: object): string {
  return `${JSON.stringify(lock, null, 2)}\n`;
}

/** Writes the lock atomically (temp file + rename), so a reader never sees half a lock. */
export async function writeLock(path: string, lock: object): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    await writeFile(tmp, serialiseLock(lock));
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => {});
    throw err;
  }
}

/** Reads and validates a lock; LOCK_MISSING when absent, LOCK_INVALID when malformed. */
export async function readLock(path: string): Promise<LockFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new LockError('LOCK_MISSING', `no lockfile at ${path}: run \`distill lock\``, { cause: err });
  }
  return parseLock(text, path);
}

const HEX64 = /^[0-9a-f]{64}$/;

/** Parses and validates lock text. */
export function parseLock(text: string, source = 'distill.lock'): LockFile {
  let v: LockFile;
  try {
    v = JSON.parse(text) as LockFile;
  } catch (err) {
    throw new LockError('LOCK_INVALID', `${source} is not JSON: ${(err as Error).message}`, { cause: err });
  }
  const bad = (what: string) =>
    new LockError('LOCK_INVALID', `${source}: ${what}; re-create it with \`distill lock\``);
  if (v?.lockVersion !== 1) throw bad(`unsupported lockVersion ${JSON.stringify(v?.lockVersion)}`);
  if (typeof v.configChecksum !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(v.configChecksum))
    throw bad('bad configChecksum');
  if (v.debian !== 12 && v.debian !== 13) throw bad('bad debian release');
  if (!v.inputs || !Array.isArray(v.inputs.packages) || !Array.isArray(v.inputs.architectures))
    throw bad('bad inputs');
  if (!v.architectures || typeof v.architectures !== 'object') throw bad('no architectures');
  const releases = releasesProblem(v.releases);
  if (releases) throw bad(releases);
  for (const [arch, a] of Object.entries(v.architectures)) {
    if (!Array.isArray(a?.packages)) throw bad(`${arch}: no packages`);
    for (const p of a.packages) {
      if (
        typeof p?.name !== 'string' ||
        typeof p.version !== 'string' ||
        typeof p.filename !== 'string' ||
        !HEX64.test(p.sha256 ?? '') ||
        !Number.isSafeInteger(p.size) ||
        (p.archive !== 'main' && p.archive !== 'security') ||
        p.filename.startsWith('/') ||
        p.filename.split('/').includes('..')
      )
        throw bad(`${arch}: malformed package entry ${JSON.stringify(p?.name)}`);
    }
  }
  return v;
}

/** How the current inputs differ from the lock's; empty when the lock is current. */
export function lockDrift(lock: LockFile, inputs: LockInputs): string[] {
  if (configChecksum(inputs) === lock.configChecksum) return [];
  const now = normaliseInputs(inputs);
  const was = lock.inputs;
  const out: string[] = [];
  if (now.debian !== was.debian) out.push(`debian changed from ${was.debian} to ${now.debian}`);
  const diff = (what: string, a: readonly string[] = [], b: readonly string[] = []) => {
    const added = b.filter((x) => !a.includes(x));
    const removed = a.filter((x) => !b.includes(x));
    if (added.length) out.push(`${what} added: ${added.join(', ')}`);
    if (removed.length) out.push(`${what} removed: ${removed.join(', ')}`);
  };
  diff('architectures', was.architectures, now.architectures);
  diff('packages', was.packages, now.packages);
  diff('exclude', was.exclude, now.exclude);
  diff('keep', was.keep, now.keep);
  if (out.length === 0) out.push('the configuration checksum differs');
  return out;
}

/** Throws LOCK_STALE, listing the changes, when the inputs no longer match the lock. */
export function assertLockCurrent(lock: LockFile, inputs: LockInputs, source = 'distill.lock'): void {
  const drift = lockDrift(lock, inputs);
  if (drift.length > 0)
    throw new LockError(
      'LOCK_STALE',
      `${source} does not match the configuration (${drift.join('; ')}): run \`distill lock\` to update it`,
    );
}

/**
 * The locked packages of one architecture as ResolvedPackage values for downloads: exactly the
 * locked files, from the mirrors discovered on this machine. `stanza` is '' (the control file
 * comes from the .deb itself).
 */
export function lockedPackages(
  lock: LockFile,
  arch: string,
  mirrors: { readonly main: string; readonly security: string },
): ResolvedPackage[] {
  const a = lock.architectures[arch];
  if (!a)
    throw new LockError(
      'LOCK_ARCH_MISSING',
      `the lock has no packages for ${arch}: add it and run \`distill lock\``,
    );
  return a.packages.map((p) => unlocked(p, mirrors));
}

/** A locked package as the downloader takes it, from this machine's mirrors. */
export function unlocked(
  p: LockedPackage,
  mirrors: { readonly main: string; readonly security: string },
): ResolvedPackage {
  return {
    name: p.name,
    version: p.version,
    architecture: p.architecture,
    filename: p.filename,
    sha256: p.sha256,
    size: p.size,
    suite: p.suite,
    component: p.component,
    mirror: p.archive === 'security' ? mirrors.security : mirrors.main,
    stanza: '',
    reason: p.why,
  };
}

/**
 * What a build with a lock installs for `arch`: the lock read from `path`, checked against the
 * current inputs (LOCK_STALE when the configuration changed), as exactly the locked files.
 */
export async function packagesFromLock(
  path: string,
  inputs: LockInputs,
  arch: string,
  mirrors: { readonly main: string; readonly security: string },
): Promise<ResolvedPackage[]> {
  const lock = await readLock(path);
  assertLockCurrent(lock, inputs, path);
  return lockedPackages(lock, arch, mirrors);
}

/**
 * Reads a JSON lock of one kind (lockVersion 1): undefined when the file does not exist;
 * LOCK_INVALID when it cannot be read, is not JSON, or is another kind of lock.
 */
export async function readLockJson<T>(
  path: string,
  kind: 'app' | 'base',
  what: string,
): Promise<T | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new LockError('LOCK_INVALID', `cannot read ${path}: ${(err as Error).message}`, { cause: err });
  }
  let lock: {
    lockVersion?: unknown;
    kind?: unknown;
    architectures?: unknown;
    releases?: unknown;
    base?: { releases?: unknown };
    jdk?: { releases?: unknown };
  };
  try {
    lock = JSON.parse(text);
  } catch (err) {
    throw new LockError('LOCK_INVALID', `${path} is not JSON: ${(err as Error).message}`, { cause: err });
  }
  if (lock?.lockVersion !== 1 || lock.kind !== kind || typeof lock.architectures !== 'object')
    throw new LockError(
      'LOCK_INVALID',
      `${path} is not a distill ${what} lock (lockVersion 1, kind "${kind}")`,
    );
  // `releases` is optional (older locks have none), but when present it must be well formed.
  const releases =
    releasesProblem(lock.releases) ??
    releasesProblem(lock.base?.releases) ??
    releasesProblem(lock.jdk?.releases);
  if (releases) throw new LockError('LOCK_INVALID', `${path}: ${releases}; re-create it with --relock`);
  return lock as T;
}
