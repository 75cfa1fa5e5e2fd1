/**
 * The lock of a catalogue image (`distill base NAME --lock FILE`): per architecture, the exact
 * packages of each layer, the packages distill takes files from (CA certificates, busybox,
 * libc-bin), and the Node.js release for nodejsNN. A build with it resolves nothing and reads
 * no index: it fetches exactly these files (hash-checked) or takes them from the cache.
 */

import type { DebianRelease, VerifiedSuite } from '../debian/index.ts';
import type { NodeRuntimeLock } from '../npm/index.ts';
import { LockError } from './errors.ts';
import { configChecksum, locked, readLockJson, unlocked, writeLock } from './lock.ts';
import type { BasePlan } from './plan.ts';
import { type LockedRelease, lockedReleases } from './releases.ts';
import type { LockedPackage } from './types.ts';

export interface BaseLockInputs {
  readonly image: string;
  readonly debian: DebianRelease;
  readonly architectures: readonly string[];
}

export interface BaseLockArch {
  readonly layers: readonly { readonly kind: string; readonly packages: readonly LockedPackage[] }[];
  readonly sources: {
    readonly caCertificates: LockedPackage;
    readonly busybox: LockedPackage;
    readonly libcBin: LockedPackage;
  };
  readonly node?: NodeRuntimeLock;
  readonly excluded: readonly { readonly name: string; readonly reason: string }[];
}

export interface BaseLockFile {
  readonly lockVersion: 1;
  readonly kind: 'base';
  readonly configChecksum: string;
  readonly inputs: BaseLockInputs;
  /**
   * The signed InRelease of each suite the plans were resolved against (releases.ts); absent in
   * locks written before distill recorded them.
   */
  readonly releases?: readonly LockedRelease[];
  readonly architectures: Readonly<Record<string, BaseLockArch>>;
}

type Mirrors = { readonly main: string; readonly security: string };

function checksum(i: BaseLockInputs): string {
  return configChecksum({ debian: i.debian, architectures: i.architectures, packages: [`image:${i.image}`] });
}

/** The lock of the plans (one per architecture), resolved against the `verified` suites. */
export function makeBaseLock(
  inputs: BaseLockInputs,
  plans: readonly BasePlan[],
  securityMirror: string,
  verified?: readonly VerifiedSuite[],
): BaseLockFile {
  const architectures: Record<string, BaseLockArch> = {};
  for (const p of plans) {
    const l = (x: Parameters<typeof locked>[0]) => locked(x, securityMirror);
    architectures[p.arch] = {
      layers: p.layers.map((x) => ({ kind: x.kind, packages: x.packages.map(l) })),
      sources: {
        caCertificates: l(p.sources.caCertificates),
        busybox: l(p.sources.busybox),
        libcBin: l(p.sources.libcBin),
      },
      ...(p.node ? { node: p.node } : {}),
      excluded: p.excluded.map((x) => ({ name: x.name, reason: x.reason })),
    };
  }
  return {
    lockVersion: 1,
    kind: 'base',
    configChecksum: checksum(inputs),
    inputs,
    ...(verified ? { releases: lockedReleases(verified, securityMirror) } : {}),
    architectures,
  };
}

/** The plan of one architecture from the lock, with this machine's mirrors. */
export function planFromBaseLock(lock: BaseLockFile, name: string, arch: string, mirrors: Mirrors): BasePlan {
  const a = lock.architectures[arch];
  if (!a) throw new LockError('LOCK_ARCH_MISSING', `the lock has no ${arch}: run again with --relock`);
  const u = (p: LockedPackage) => unlocked(p, mirrors);
  return {
    name,
    debian: lock.inputs.debian,
    arch,
    layers: a.layers.map((l) => ({
      kind: l.kind as BasePlan['layers'][number]['kind'],
      packages: l.packages.map(u),
    })),
    sources: {
      caCertificates: u(a.sources.caCertificates),
      busybox: u(a.sources.busybox),
      libcBin: u(a.sources.libcBin),
    },
    ...(a.node ? { node: a.node } : {}),
    excluded: a.excluded.map((x) => ({ ...x, runtime: false, neededBy: [] })),
    warnings: [],
  };
}

/** Reads a base lock; undefined when the file does not exist. LOCK_INVALID, LOCK_STALE otherwise. */
export async function readBaseLock(path: string, inputs: BaseLockInputs): Promise<BaseLockFile | undefined> {
  const lock = await readLockJson<BaseLockFile>(path, 'base', 'base-image');
  if (!lock) return undefined;
  if (lock.configChecksum !== checksum(inputs)) {
    const was = lock.inputs;
    throw new LockError(
      'LOCK_STALE',
      `${path} locks ${was?.image} debian${was?.debian} ${was?.architectures?.join(',')}, not ${inputs.image} debian${inputs.debian} ${inputs.architectures.join(',')}: pass --relock to resolve again`,
    );
  }
  return lock;
}

/** Writes the lock atomically (as every lock is written). */
export async function writeBaseLock(path: string, lock: BaseLockFile): Promise<void> {
  await writeLock(path, lock);
}
