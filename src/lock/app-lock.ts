/**
 * The lock of an application build (`distill build`, DIR/distill.lock): the base image's own
 * lock (catalogue bases), the JDK image's lock (`--jlink`) and, per architecture, the exact extra
 * Debian packages above it —
 * those distill.yaml asks for plus those the native checks added for missing libraries. A build
 * with a current lock resolves nothing and reads no index.
 */
import type { DebianRelease } from '../debian/index.ts';
import { canonicalJson } from '../oci/index.ts';
import type { BaseLockFile } from './base-lock.ts';
import { configChecksum, readLockJson, writeLock } from './lock.ts';
import type { LockedPackage } from './types.ts';

export const APP_LOCK_FILE = 'distill.lock';

export interface AppLockInputs {
  /** Catalogue name or image reference. */
  readonly base: string;
  readonly debian: DebianRelease;
  readonly architectures: readonly string[];
  /** Extra packages asked for in distill.yaml. */
  readonly packages: readonly string[];
}

export interface AppLockArch {
  /** Package names resolved as roots: the requested ones and the ones the native checks added. */
  readonly roots: readonly string[];
  /** Why each added root is there (`libsqlite3-0: provides libsqlite3.so.0 for /app/x`). */
  readonly added: readonly { readonly name: string; readonly reason: string }[];
  /** The exact packages of the extra layer (those the base does not have), sorted by name. */
  readonly packages: readonly LockedPackage[];
  /** Manifest digest of a non-catalogue base for this architecture, as built against. */
  readonly baseDigest?: string;
}

export interface AppLockFile {
  readonly lockVersion: 1;
  readonly kind: 'app';
  readonly configChecksum: string;
  readonly inputs: AppLockInputs;
  /** The catalogue base's lock (absent for an image-reference base). */
  readonly base?: BaseLockFile;
  /** `--jlink`: the lock of the JDK image (javaNN:debug) whose jlink made the runtime. */
  readonly jdk?: BaseLockFile;
  readonly architectures: Readonly<Record<string, AppLockArch>>;
}

/** Checksum of the inputs (base, release, architectures, packages). */
export function appLockChecksum(i: AppLockInputs): string {
  return configChecksum({
    debian: i.debian,
    architectures: i.architectures,
    packages: [`base:${i.base}`, ...i.packages],
  });
}

/** Reads an app lock; undefined when the file does not exist; `stale` when made for other inputs. */
export async function readAppLock(
  path: string,
  inputs: AppLockInputs,
): Promise<{ lock: AppLockFile; stale: boolean } | undefined> {
  const lock = await readLockJson<AppLockFile>(path, 'app', 'application');
  if (!lock) return undefined;
  return { lock, stale: lock.configChecksum !== appLockChecksum(inputs) };
}

/** The lock to write. */
export function makeAppLock(
  inputs: AppLockInputs,
  base: BaseLockFile | undefined,
  architectures: Record<string, AppLockArch>,
  jdk?: BaseLockFile,
): AppLockFile {
  return {
    lockVersion: 1,
    kind: 'app',
    configChecksum: appLockChecksum(inputs),
    inputs: { ...inputs, architectures: [...inputs.architectures], packages: [...inputs.packages].sort() },
    ...(base ? { base } : {}),
    ...(jdk ? { jdk } : {}),
    architectures,
  };
}

/**
 * Whether `next` (just resolved) pins something `previous` does not: other inputs, packages,
 * Node.js release or base — or InRelease digests where `previous` records none (unless
 * `missingDigests` is false: `distill lock DIR --check` accepts a lock from before they were
 * recorded). Indexes re-signed since (the security archive re-signs its InRelease every few days)
 * that resolve to exactly the same files are no change: the previous lock stays, and its
 * InRelease files, which vouch for the same files, stay the ones named.
 */
export function appLockChanged(
  previous: AppLockFile,
  next: AppLockFile,
  o: { missingDigests?: boolean } = {},
): boolean {
  // The base's and the JDK's (--jlink) pins both carry InRelease digests.
  const unsigned = (b: BaseLockFile | undefined) => {
    if (!b) return b;
    const { releases: _, ...rest } = b;
    return rest;
  };
  const pinned = (l: AppLockFile) => ({ ...l, base: unsigned(l.base), jdk: unsigned(l.jdk) });
  if (canonicalJson(pinned(previous)) !== canonicalJson(pinned(next))) return true;
  const gained = (['base', 'jdk'] as const).some((k) => next[k]?.releases && !previous[k]?.releases);
  return o.missingDigests !== false && gained;
}

/** Writes the lock atomically (same lock → same bytes). */
export async function writeAppLock(path: string, lock: AppLockFile): Promise<void> {
  await writeLock(path, lock);
}
